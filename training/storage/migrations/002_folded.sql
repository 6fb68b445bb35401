-- Case-folded copies for the console's search and its count of officers, made by the app in
-- Python as the CSV store folds (training/storage/folding.py): SQL lower() folds by the
-- database's locale, only ASCII under C, and never turns "ß" into "ss". `migrate` fills them
-- for the rows already here; a row without them (an app server not yet upgraded) is still
-- found, folded by lower() until the next `migrate`.
ALTER TABLE completions
    ADD COLUMN name_folded text,
    ADD COLUMN badge_folded text,
    ADD COLUMN officer_key text;
ALTER TABLE attempts ADD COLUMN officer_key text;

"""The course as typed data: models of course.yaml, modules/*.yaml and quizzes/*.yaml, and
loading them with every problem reported as `path: field: message`.

Lessons and questions never hold a phone number of their own: they say
`{{ contacts.<key>.phone }}` (or `.text`, `.name`), and loading fills the values in from
course.yaml, so a changed number is one edit.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from training import question_bank
from training.config import READING_WORDS_PER_MINUTE

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Identifier = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60),
]

#: Lines that open a Markdown block able to run on past blank lines and rules: a code fence,
#: display math or an HTML block. A quiz's marked answers are shown as one Markdown element.
RUNAWAY_BLOCK = re.compile(
    r"^ {0,3}(?:```|~~~|\$\$|<!--|<\?|<![A-Za-z\[]|<(?:script|pre|style|textarea)\b)",
    re.MULTILINE | re.IGNORECASE,
)
PLACEHOLDER = re.compile(r"\{\{\s*contacts\.([A-Za-z0-9_]+)\.(name|phone|text|web)\s*\}\}")
# North American numbers in any usual spelling, and the 5-6 digit SMS short codes.
PHONE_NUMBER = re.compile(r"(?<![\d-])(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?![\d-])")
# A section number right after "§" (34 U.S.C. § 41309) is a citation, not a text code.
SHORT_CODE = re.compile(r"(?<![\d,.-])(?<!§)(?<!§ )(?<!§\u00a0)\d{5,6}(?![\d,.-])")
#: Planned time for answering one quiz question, counted into a module's and the course's minutes.
MINUTES_PER_QUESTION = 1
MODULE_FILE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.yaml$")
#: Each draw of the final takes at least this many questions from every module: one question
#: cannot show that a module was learned.
MIN_FINAL_QUESTIONS_PER_MODULE = 2


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Model):
    name: Text
    phone: Text | None = None
    text: Text | None = None
    #: A web address without its scheme (reportabuse.mdcps.ms.gov); links open it over https.
    web: (
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=True, pattern=r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/[\w./-]*)?$"
            ),
        ]
        | None
    ) = None
    when: Text

    def digits(self) -> set[str]:
        found = set()
        for value in (self.phone, self.text):
            if value:
                found.update(_digit_runs(value))
        return found


#: Hours a completion is worth when course.yaml does not say (the state's two-hour course).
DEFAULT_CREDIT_HOURS = 2.0
#: The longest refresher interval accepted: ten years.
MAX_REFRESHER_MONTHS = 120
#: What a course number in the state's records system may hold ("MS-HT-101", "2026.04/7").
COURSE_NUMBER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9 ._/-]{0,38}[A-Za-z0-9])?$")


class CourseInfo(_Model):
    id: Identifier
    title: Text
    credit_hours: float = Field(default=DEFAULT_CREDIT_HOURS, gt=0, le=40)
    statute: Text
    contacts: dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]+$")], Contact] = Field(
        min_length=1
    )
    #: The course's number in the state's training-records system (the records file's column);
    #: absent until the state assigns one.
    course_number: str | None = None
    #: Months after which a completion is due again; absent: a completion never expires
    #: (Miss. Code § 45-6-7 sets no interval).
    refresher_months: int | None = None

    @field_validator("course_number", mode="before")
    @classmethod
    def _course_number(cls, value: object) -> object:
        if value is None:
            return None
        text = str(value).strip() if isinstance(value, (str, int)) else None
        if text is None or not COURSE_NUMBER.fullmatch(text):
            raise ValueError(
                "must be 1 to 40 letters, digits, spaces, dots, slashes, hyphens or "
                "underscores, starting and ending with a letter or digit"
            )
        return text

    @field_validator("refresher_months", mode="before")
    @classmethod
    def _refresher_months(cls, value: object) -> object:
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 1 <= value <= MAX_REFRESHER_MONTHS
        ):
            raise ValueError(
                f"must be a whole number of months from 1 to {MAX_REFRESHER_MONTHS}; leave it "
                "out and completions never expire"
            )
        return value


class Lesson(_Model):
    id: Identifier
    title: Text
    body: Text
    sources: list[Text] = Field(min_length=1)

    @cached_property
    def words(self) -> int:
        return len(re.findall(r"[^\W_]+(?:['\u2019-][^\W_]+)*", self.body))

    @cached_property
    def quotes(self) -> bool:
        """The body holds a Markdown block quote."""
        return re.search(r"^ {0,3}>", self.body, re.MULTILINE) is not None

    @property
    def reading_seconds(self) -> float:
        return self.words * 60 / READING_WORDS_PER_MINUTE


class Module(_Model):
    id: Identifier
    title: Text
    minutes: int = Field(gt=0, le=600)
    objectives: list[Text] = Field(min_length=1)
    lessons: list[Lesson] = Field(min_length=1)
    quiz: Identifier


class Option(_Model):
    text: Text
    correct: bool = False


class Question(_Model):
    id: Identifier
    type: Literal["single", "multiple", "true_false"]
    prompt: Text
    options: list[Option] = Field(min_length=2, max_length=8)
    explanation: Text
    tags: list[Identifier] = Field(default_factory=list)
    #: The module a final question examines (the blueprint draws by it); checks leave it out.
    module: Identifier | None = None

    @property
    def correct_positions(self) -> frozenset[int]:
        return frozenset(i for i, option in enumerate(self.options) if option.correct)


class Quiz(_Model):
    id: Identifier
    title: Text
    kind: Literal["check", "final"]
    draw: int | None = Field(default=None, ge=1)
    pass_mark: int | None = Field(default=None, ge=1, le=100)
    #: The final's plan: how many questions each draw takes from each module's questions.
    blueprint: dict[Identifier, Annotated[int, Field(ge=1)]] | None = None
    questions: list[Question] = Field(min_length=1)

    @property
    def draw_count(self) -> int:
        return self.draw or len(self.questions)

    def question(self, question_id: str) -> Question:
        return self._by_id[question_id]

    def questions_of(self, module_id: str) -> tuple[Question, ...]:
        """The final's questions that examine one module, in file order."""
        return self._by_module.get(module_id, ())

    @cached_property
    def _by_module(self) -> dict[str, tuple[Question, ...]]:
        out: dict[str, list[Question]] = {}
        for q in self.questions:
            if q.module is not None:
                out.setdefault(q.module, []).append(q)
        return {module_id: tuple(qs) for module_id, qs in out.items()}

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        # Looked up for every question marked, on every redraw of a results page.
        return {q.id: q for q in self.questions}


@dataclass(frozen=True)
class Problem:
    path: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.message}"


class ContentError(Exception):
    """The course files have problems; `problems` lists every one found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Course:
    """The whole validated course, contacts already filled in."""

    info: CourseInfo
    modules: tuple[Module, ...]
    quizzes: dict[str, Quiz]
    version: str
    files: tuple[str, ...] = field(default=())

    @property
    def final(self) -> Quiz:
        return next(q for q in self.quizzes.values() if q.kind == "final")

    def check_for(self, module: Module) -> Quiz:
        return self.quizzes[module.quiz]

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for module in self.modules for lesson in module.lessons]


# --- YAML -------------------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice instead of silently keeping the last."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} is given twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _parse_yaml(path: Path, rel: str, problems: list[Problem]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(rel, "file", "is not UTF-8 text"))
        return None
    except OSError as exc:
        problems.append(Problem(rel, "file", f"cannot be read: {exc.strerror or exc}"))
        return None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
        if data is None:
            problems.append(Problem(rel, "(file)", "is empty"))
        return data
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark else "yaml"
        what = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        problems.append(Problem(rel, where, f"YAML syntax error: {what}"))
    except yaml.YAMLError as exc:
        problems.append(Problem(rel, "yaml", f"YAML syntax error: {exc}"))
    return None


def _field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(file)"


def _validate_model(model: type[_Model], data: Any, rel: str, problems: list[Problem]):
    if not isinstance(data, dict):
        problems.append(Problem(rel, "(file)", "must be a mapping of keys to values"))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                message = "is not a known field"
            elif error["type"] == "missing":
                message = "is required"
            elif error["type"] == "string_pattern_mismatch":
                message = "must be lowercase letters, digits and single hyphens"
            elif error["type"] == "value_error" and "error" in error.get("ctx", {}):
                message = str(error["ctx"]["error"])
            problems.append(Problem(rel, _field_path(tuple(error["loc"])), message))
        return None


# --- checks -----------------------------------------------------------------------------------


def _digit_runs(text: str) -> list[str]:
    runs = [re.sub(r"\D", "", m) for m in PHONE_NUMBER.findall(text)]
    runs += SHORT_CODE.findall(text)
    return [r[1:] if len(r) == 11 and r.startswith("1") else r for r in runs]


def _check_text(text: str, rel: str, where: str, info: CourseInfo, problems: list[Problem]) -> None:
    for match in PLACEHOLDER.finditer(text):
        key, attr = match.group(1), match.group(2)
        contact = info.contacts.get(key)
        if contact is None:
            problems.append(
                Problem(rel, where, f"refers to contact {key!r}, which course.yaml does not define")
            )
        elif getattr(contact, attr) is None:
            problems.append(Problem(rel, where, f"contact {key!r} in course.yaml has no {attr}"))
    known = {digits: key for key, c in info.contacts.items() for digits in c.digits()}
    for digits in _digit_runs(PLACEHOLDER.sub("", text)):
        if digits in known:
            problems.append(
                Problem(
                    rel,
                    where,
                    f"writes the number {digits} out; use {{{{ contacts.{known[digits]}.phone }}}}"
                    " (or .text) so course.yaml stays the one place it is defined",
                )
            )
        else:
            problems.append(
                Problem(
                    rel, where, f"has the number {digits}, which is not a contact in course.yaml"
                )
            )


def _check_question(q: Question, rel: str, where: str, problems: list[Problem]) -> None:
    correct = len(q.correct_positions)
    if q.type == "single" and correct != 1:
        problems.append(
            Problem(
                rel,
                f"{where}.options",
                f"a single-choice question needs exactly one correct option (found {correct})",
            )
        )
    elif q.type == "true_false":
        texts = [o.text for o in q.options]
        if texts != ["True", "False"]:
            problems.append(
                Problem(
                    rel,
                    f"{where}.options",
                    f"a true_false question has exactly the options True and False, not {texts}",
                )
            )
        elif correct != 1:
            problems.append(
                Problem(rel, f"{where}.options", "a true_false question needs one correct option")
            )
    elif q.type == "multiple" and correct < 1:
        problems.append(
            Problem(rel, f"{where}.options", "a multiple-choice question needs a correct option")
        )
    for message in question_bank.question_problems(q):
        problems.append(Problem(rel, f"{where}.options", message))
    duplicates = [t for t, n in Counter(o.text for o in q.options).items() if n > 1]
    if duplicates:
        problems.append(Problem(rel, f"{where}.options", f"option {duplicates[0]!r} appears twice"))
    question_texts = {"prompt": q.prompt, "explanation": q.explanation}
    question_texts |= {f"options[{i}].text": o.text for i, o in enumerate(q.options)}
    for name, text in question_texts.items():
        if RUNAWAY_BLOCK.search(text):
            problems.append(
                Problem(
                    rel,
                    f"{where}.{name}",
                    "starts a block (```, ~~~, $$ or HTML) that would hide the marked answers "
                    "shown after this one",
                )
            )


def _check_course(
    info: CourseInfo,
    modules: list[tuple[str, Module]],
    quizzes: list[tuple[str, Quiz]],
    problems: list[Problem],
    unreadable_quizzes: set[str],
) -> None:
    """Checks across files. A quiz file that could not be read is already reported, so what
    only follows from its absence is not reported again."""
    quiz_by_id: dict[str, tuple[str, Quiz]] = {}
    for rel, quiz in quizzes:
        if quiz.id in quiz_by_id:
            problems.append(
                Problem(rel, "id", f"quiz id {quiz.id!r} is also used by {quiz_by_id[quiz.id][0]}")
            )
        quiz_by_id.setdefault(quiz.id, (rel, quiz))

    seen_module: dict[str, str] = {}
    seen_lesson: dict[str, str] = {}
    used_quizzes: dict[str, str] = {}
    for rel, module in modules:
        if module.id in seen_module:
            problems.append(
                Problem(
                    rel, "id", f"module id {module.id!r} is also used by {seen_module[module.id]}"
                )
            )
        seen_module.setdefault(module.id, rel)
        for i, lesson in enumerate(module.lessons):
            where = f"lessons[{i}]"
            if lesson.id in seen_lesson:
                problems.append(
                    Problem(
                        rel,
                        f"{where}.id",
                        f"lesson id {lesson.id!r} is also used in {seen_lesson[lesson.id]}",
                    )
                )
            seen_lesson.setdefault(lesson.id, rel)
            _check_text(lesson.title, rel, f"{where}.title", info, problems)
            _check_text(lesson.body, rel, f"{where}.body", info, problems)
            if re.search(r"^\s{0,3}#(?!#)", lesson.body, re.MULTILINE):
                problems.append(
                    Problem(
                        rel,
                        f"{where}.body",
                        "uses a top-level # heading; start at ## (the lesson title is the "
                        "page's one top heading)",
                    )
                )
        for i, objective in enumerate(module.objectives):
            _check_text(objective, rel, f"objectives[{i}]", info, problems)
        target = quiz_by_id.get(module.quiz)
        if target is None and module.quiz in unreadable_quizzes:
            pass
        elif target is None:
            problems.append(
                Problem(rel, "quiz", f"names quiz {module.quiz!r}, but quizzes/ has no such quiz")
            )
        elif target[1].kind != "check":
            problems.append(
                Problem(rel, "quiz", f"names {module.quiz!r}, which is not a knowledge check")
            )
        elif module.quiz in used_quizzes:
            problems.append(
                Problem(
                    rel,
                    "quiz",
                    f"{module.quiz!r} is already the check of {used_quizzes[module.quiz]}",
                )
            )
        used_quizzes.setdefault(module.quiz, rel)

    seen_question: dict[str, str] = {}
    finals = [rel for rel, quiz in quizzes if quiz.kind == "final"]
    if not finals and not unreadable_quizzes:
        problems.append(
            Problem("quizzes/", "kind", "no quiz has kind: final (the final assessment)")
        )
    for rel in finals[1:]:
        problems.append(Problem(rel, "kind", f"only one final is allowed; {finals[0]} is one"))
    for rel, quiz in quizzes:
        if quiz.kind == "check" and quiz.id not in used_quizzes:
            problems.append(Problem(rel, "id", f"check {quiz.id!r} is not the quiz of any module"))
        if quiz.kind == "check" and quiz.pass_mark is not None:
            problems.append(Problem(rel, "pass_mark", "only the final has a pass mark"))
        if quiz.draw is not None and quiz.draw > len(quiz.questions):
            problems.append(
                Problem(
                    rel,
                    "draw",
                    f"draws {quiz.draw} questions but the bank has only {len(quiz.questions)}",
                )
            )
        for i, question in enumerate(quiz.questions):
            where = f"questions[{i}]"
            if question.id in seen_question:
                problems.append(
                    Problem(
                        rel,
                        f"{where}.id",
                        f"question id {question.id!r} is also used in {seen_question[question.id]}",
                    )
                )
            seen_question.setdefault(question.id, rel)
            _check_question(question, rel, where, problems)
            _check_text(question.prompt, rel, f"{where}.prompt", info, problems)
            _check_text(question.explanation, rel, f"{where}.explanation", info, problems)
            for j, option in enumerate(question.options):
                _check_text(option.text, rel, f"{where}.options[{j}].text", info, problems)
    # Judged as officers read them: a filled-in number can change which option is longest.
    _check_banks([(rel, _filled(quiz, info)) for rel, quiz in quizzes], problems)
    _check_blueprint(modules, quizzes, problems)
    if not modules:
        problems.append(Problem("modules/", "(folder)", "has no module files (NN-<id>.yaml)"))
    for rel, module in modules:
        reading = math.ceil(sum(lesson.reading_seconds for lesson in module.lessons) / 60)
        target = quiz_by_id.get(module.quiz)
        exercises = len(target[1].questions) * MINUTES_PER_QUESTION if target else 0
        if module.minutes < reading + exercises:
            problems.append(
                Problem(
                    rel,
                    "minutes",
                    f"plans {module.minutes} minutes but its lessons take {reading} to read at "
                    f"{READING_WORDS_PER_MINUTE} words a minute and its check {exercises} more",
                )
            )
    final_minutes = sum(
        q.draw_count * MINUTES_PER_QUESTION for _, q in quizzes if q.kind == "final"
    )
    planned = sum(module.minutes for _, module in modules) + final_minutes
    if modules and info.credit_hours * 60 > planned:
        problems.append(
            Problem(
                "course.yaml",
                "credit_hours",
                f"claims {info.credit_hours:g} hours but the course plans only {planned} minutes "
                "(modules plus the final)",
            )
        )


def _check_banks(quizzes: list[tuple[str, Quiz]], problems: list[Problem]) -> None:
    """Each quiz large enough to judge, and the course's questions together, within the limits
    that keep a bank from rewarding test-taking."""
    for rel, quiz in quizzes:
        figures = question_bank.figures(quiz.questions)
        if question_bank.judged_on_its_own(figures):
            for message in question_bank.cueing_problems(figures):
                problems.append(Problem(rel, "questions", message))
    every = [q for _, quiz in quizzes for q in quiz.questions]
    for message in question_bank.cueing_problems(question_bank.figures(every)):
        problems.append(Problem("quizzes/", "(all quizzes)", message))


def _check_blueprint(
    modules: list[tuple[str, Module]], quizzes: list[tuple[str, Quiz]], problems: list[Problem]
) -> None:
    """The final's blueprint draws from every module, and each final question names its module;
    a knowledge check belongs to its module already."""
    module_ids = {module.id for _, module in modules}
    for rel, quiz in quizzes:
        if quiz.kind == "check":
            if quiz.blueprint is not None:
                problems.append(Problem(rel, "blueprint", "only the final has a blueprint"))
            for i, question in enumerate(quiz.questions):
                if question.module is not None:
                    problems.append(
                        Problem(
                            rel,
                            f"questions[{i}].module",
                            "only a final question names its module; a check's questions "
                            "belong to the module whose quiz it is",
                        )
                    )
            continue
        in_bank: Counter[str] = Counter()
        for i, question in enumerate(quiz.questions):
            if question.module is None:
                problems.append(
                    Problem(
                        rel,
                        f"questions[{i}].module",
                        "is required: name the module this question examines",
                    )
                )
            elif modules and question.module not in module_ids:
                problems.append(
                    Problem(
                        rel, f"questions[{i}].module", f"{question.module!r} is not a module id"
                    )
                )
            else:
                in_bank[question.module] += 1
        if quiz.blueprint is None:
            problems.append(
                Problem(
                    rel,
                    "blueprint",
                    "is required: how many questions each draw takes from each module",
                )
            )
            continue
        for module_id, count in quiz.blueprint.items():
            where = f"blueprint.{module_id}"
            if modules and module_id not in module_ids:
                problems.append(Problem(rel, where, f"{module_id!r} is not a module id"))
            elif count > in_bank[module_id]:
                problems.append(
                    Problem(
                        rel,
                        where,
                        f"draws {count} questions but the bank has {in_bank[module_id]} "
                        "for this module",
                    )
                )
            elif count < MIN_FINAL_QUESTIONS_PER_MODULE:
                problems.append(
                    Problem(
                        rel,
                        where,
                        f"draws {count}; every module needs at least "
                        f"{MIN_FINAL_QUESTIONS_PER_MODULE} questions in each final",
                    )
                )
        for _, module in modules:
            if module.id not in quiz.blueprint:
                problems.append(
                    Problem(
                        rel,
                        "blueprint",
                        f"leaves out module {module.id!r}: every module is examined",
                    )
                )
        planned = sum(quiz.blueprint.values())
        if planned != quiz.draw_count:
            problems.append(
                Problem(
                    rel,
                    "blueprint",
                    f"adds up to {planned} questions but the final draws {quiz.draw_count}",
                )
            )


# --- filling in contacts ----------------------------------------------------------------------


def _fill(text: str, info: CourseInfo) -> str:
    def value(m: re.Match[str]) -> str:
        contact = info.contacts.get(m.group(1))
        found = getattr(contact, m.group(2)) if contact else None
        return found if found is not None else m.group(0)

    return PLACEHOLDER.sub(value, text)


def _filled(model: _Model, info: CourseInfo) -> Any:
    """A copy of the model with every placeholder in its text replaced by the contact's value
    (one naming an unknown contact is left as written: validation reports it)."""

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return _fill(value, info)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return type(model).model_validate(walk(model.model_dump()))


# --- loading ----------------------------------------------------------------------------------


def content_files(root: Path) -> list[Path]:
    """Every file the course is made of, in a fixed order."""
    files = [root / "course.yaml"]
    files += sorted((root / "modules").glob("*.yaml"))
    files += sorted((root / "quizzes").glob("*.yaml"))
    return [f for f in files if f.is_file()]


def course_version(root: Path) -> str:
    """A short hash of all content files: the version every record is earned against."""
    digest = hashlib.sha256()
    for path in content_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def check_course(root: Path) -> list[Problem]:
    """Every problem in the course files under root (empty when the course is sound)."""
    try:
        _build(Path(root))
    except ContentError as exc:
        return exc.problems
    return []


#: One build at a time. Sessions that reach a fresh server together (browsers reconnecting
#: after a restart) each built the course at once: 0.3 s of CPU each, 7.5 s for 20.
_building = threading.Lock()


def load_course(root: Path) -> Course:
    """The validated course, parsed once and reused until a content file changes."""
    root = Path(root).resolve()
    fingerprint = _fingerprint(root)
    with _building:
        return _load_cached(root, fingerprint)


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, time and size of course.yaml and of everything in modules/ and quizzes/ (not only
    the YAML files: a stray file is a problem the check reports). Taken on every click, so
    with os.scandir rather than globbing."""
    out = []
    for folder in (root / "modules", root / "quizzes"):
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    with contextlib.suppress(FileNotFoundError):
                        stat = entry.stat()
                        out.append((f"{folder.name}/{entry.name}", stat.st_mtime_ns, stat.st_size))
        except OSError:
            out.append((folder.name, -1, -1))
    try:
        stat = os.stat(root / "course.yaml")
        out.append(("course.yaml", stat.st_mtime_ns, stat.st_size))
    except OSError:
        out.append(("course.yaml", -1, -1))
    return tuple(sorted(out))


@lru_cache(maxsize=4)
def _load_cached(root: Path, fingerprint: tuple[tuple[str, int, int], ...]) -> Course:
    return _build(root)


@dataclass
class _Files:
    info: CourseInfo | None
    modules: list[tuple[str, Module]]
    quizzes: list[tuple[str, Quiz]]
    unreadable_quizzes: set[str]


def _read_files(root: Path, problems: list[Problem]) -> _Files:
    """Every content file that parses and fits its model; what does not is in `problems`."""
    course_file = root / "course.yaml"
    info: CourseInfo | None = None
    if not course_file.is_file():
        problems.append(Problem("course.yaml", "(file)", f"is missing from {root}"))
    else:
        data = _parse_yaml(course_file, "course.yaml", problems)
        if data is not None:
            info = _validate_model(CourseInfo, data, "course.yaml", problems)

    modules: list[tuple[str, Module]] = []
    for path in sorted((root / "modules").glob("*")):
        rel = f"modules/{path.name}"
        name = MODULE_FILE.match(path.name)
        if path.suffix in (".yml", ".yaml") and not name:
            problems.append(
                Problem(rel, "(file name)", "must be NN-<module id>.yaml, e.g. 01-basics.yaml")
            )
        if not name:
            continue
        data = _parse_yaml(path, rel, problems)
        module = None if data is None else _validate_model(Module, data, rel, problems)
        if module is not None:
            if module.id != name.group(2):
                problems.append(
                    Problem(rel, "id", f"is {module.id!r} but the file name says {name.group(2)!r}")
                )
            modules.append((rel, module))

    quizzes: list[tuple[str, Quiz]] = []
    unreadable_quizzes: set[str] = set()
    for path in sorted((root / "quizzes").glob("*")):
        rel = f"quizzes/{path.name}"
        if path.suffix == ".yml":
            problems.append(Problem(rel, "(file name)", "must end in .yaml"))
        if path.suffix != ".yaml":
            continue
        data = _parse_yaml(path, rel, problems)
        quiz = None if data is None else _validate_model(Quiz, data, rel, problems)
        if quiz is None:
            unreadable_quizzes.add(path.stem)
        else:
            if quiz.id != path.stem:
                problems.append(
                    Problem(rel, "id", f"is {quiz.id!r} but the file name says {path.stem!r}")
                )
            quizzes.append((rel, quiz))

    return _Files(info, modules, quizzes, unreadable_quizzes)


def read_quizzes(root: Path) -> tuple[list[Module], list[tuple[str, Quiz]]]:
    """The modules and quizzes that parse, whatever else is wrong with the course (for the
    bank's figures, which an author needs most while the bank is still refused)."""
    files = _read_files(Path(root), [])
    quizzes = files.quizzes
    if files.info is not None:
        info = files.info
        quizzes = [(rel, _filled(q, info)) for rel, q in quizzes]
    return [m for _, m in files.modules], quizzes


def _build(root: Path) -> Course:
    problems: list[Problem] = []
    files = _read_files(root, problems)
    info, modules, quizzes = files.info, files.modules, files.quizzes
    unreadable_quizzes = files.unreadable_quizzes
    if info is not None:
        _check_course(info, modules, quizzes, problems, unreadable_quizzes)
    if problems or info is None:
        raise ContentError(problems)
    return Course(
        info=info,
        modules=tuple(_filled(m, info) for _, m in modules),
        quizzes={q.id: _filled(q, info) for _, q in quizzes},
        version=course_version(root),
        files=tuple(p.relative_to(root).as_posix() for p in content_files(root)),
    )


def minimum_seconds(lesson: Lesson, scale: float) -> int:
    """How long a lesson stays open before "Next" is enabled."""
    return math.ceil(lesson.reading_seconds * scale)

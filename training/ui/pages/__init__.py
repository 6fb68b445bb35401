"""The page scripts Streamlit runs, one per page; each only calls its page's render().

They are kept this small because Streamlit compiles a page script and AppTest recompiles it on
every run: the pages' code lives in modules that Python imports once.
"""

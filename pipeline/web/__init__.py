"""The campaign web app: centers answer online, the department follows the campaign and builds.

A thin door onto pipeline.service (validation, answer files, reports, builds): the
handlers here parse a request, call the core and render a page; SQLite (db.py) keeps
what only the web knows (links, drafts, the history of submissions, sessions, builds).
"""

"""Interval profiles: the format people write, the safety layer, and the compiled plan.

* `models` — the pydantic models of a profile (what the YAML/JSON file says).
* `loader` — reads a file (YAML or JSON) into a `Profile`, naming file, field path and line
  of every problem.
* `safety` — the one package that owns the safety rules of DESIGN.md §2, for validation and
  for every command at run time.
* `plan` — compiles a profile into a `timeline.Plan`: a flat, checked list of segments with
  turns; `chart` draws one as text.
* `library` — bundled profiles (top-level ``profiles/``; in a wheel, ``bundled/`` here) and
  the user's profile folder.
* `importers` — Zwift run workouts (.zwo) and QZ XML programs into profiles.

Everything here is pure: no I/O except the loader's and importers' file reads, no asyncio.
"""

"""Uploads of finished sessions to intervals.icu and Strava (the only httpx importer).

`retrorun.upload.service` is the entry point: `upload_session` (async) and `upload_after`
(what ``retrorun run`` calls after its FIT export). Settings are parsed purely in
`retrorun.upload.settings`; `retrorun.upload.record` keeps the never-twice record.
"""

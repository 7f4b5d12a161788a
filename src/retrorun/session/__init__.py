"""Running a plan on a treadmill: the engine, its async runner, and their public vocabulary
(`retrorun.session.api`)."""

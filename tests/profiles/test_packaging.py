"""The bundled profiles: one copy, in the checkout's profiles/, and found by name from a wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from retrorun.profiles import library

CHECKOUT = Path(__file__).resolve().parents[2]


def test_a_checkout_shows_the_bundled_profiles_in_its_top_level_profiles_folder() -> None:
    assert library.bundled_dir() == CHECKOUT / "profiles"
    names = {path.stem for path in library.profile_files(library.bundled_dir())}
    assert {"one-minute-alternation", "track-warm-up", "six-week-1"} <= names
    assert "schema" not in names  # the schema sits beside them and is not a profile
    # One copy of each: no other profile file anywhere in the package sources.
    assert not list((CHECKOUT / "src").rglob("*.yaml"))


def test_an_installed_wheel_finds_every_bundled_profile_by_name(tmp_path: Path) -> None:
    built = subprocess.run(
        # The build backend comes from the test environment, so no package index is needed.
        [
            *(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"),
            *("--no-index", "-q", "-w", str(tmp_path), "."),
        ],
        cwd=CHECKOUT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("retrorun-*.whl")
    profiles = sorted((CHECKOUT / "profiles").glob("*.yaml"))
    with zipfile.ZipFile(wheel) as archive:
        yamls = [name for name in archive.namelist() if name.endswith(".yaml")]
        assert sorted(yamls) == [f"retrorun/profiles/bundled/{p.name}" for p in profiles]
        for path in profiles:
            assert archive.read(f"retrorun/profiles/bundled/{path.name}") == path.read_bytes()
        archive.extractall(tmp_path / "installed")
    # The unpacked wheel first on the path, as an installed one would be; run from
    # elsewhere so no checkout is near.
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "installed")}
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from retrorun.profiles import library; print(library.bundled_dir())",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == str(tmp_path / "installed" / "retrorun" / "profiles" / "bundled")
    shown = subprocess.run(
        [sys.executable, "-m", "retrorun", "plan", "one-minute-alternation"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert "16 turns" in shown.stdout

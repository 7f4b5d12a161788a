"""The web view on a real session (the simulator through bleak, on a ManualClock), with
aiohttp's own client as the browsers: what they see, what they may do, what they may not."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

import aiohttp
import pytest

from retrorun.errors import ConfigError
from retrorun.session.api import SessionState
from retrorun.web.server import CLOSE_REFUSED, WebTuning, WebView
from retrorun.web.settings import WebSettings
from tests.web.rig import all_see, attached, until
from tests.web.stalled import stalled_browser

if TYPE_CHECKING:
    from pathlib import Path

    from tests.web.rig import Attached


async def _running(rig: Attached) -> None:
    await rig.session.advance_until(lambda snap: snap.state is SessionState.RUNNING)


async def test_every_browser_follows_the_session_through_a_turn(tmp_path: Path) -> None:
    async with attached(tmp_path) as rig:
        tabs = (await rig.tab(), await rig.tab())
        await all_see(tabs, lambda tab: bool(tab.of_type("state")), "a first state")
        for tab in tabs:
            assert tab.received[0] == {"type": "welcome", "controls": True, "plan": rig.plan_name}
        await _running(rig)
        await rig.session.advance(2)
        await all_see(tabs, lambda tab: tab.view["direction"] == "FORWARD", "FORWARD")
        await rig.session.advance_until(lambda snap: snap.phase == "turn_window")
        await rig.session.advance(0.5)
        await all_see(tabs, lambda tab: tab.view["direction"] == "TURN", "the turn")
        await all_see(
            tabs, lambda tab: any(c["kind"] == "turn_now" for c in tab.of_type("cue")), "the cue"
        )
        await rig.session.advance_until(lambda snap: snap.segment_kind == "interval")
        await rig.session.advance(0.5)
        await all_see(tabs, lambda tab: tab.view["direction"] == "BACKWARD", "BACKWARD")
        assert rig.view.stats.clients == 2


async def test_pause_and_resume_from_the_page_reach_the_session(tmp_path: Path) -> None:
    async with attached(tmp_path) as rig:
        tab, other = await rig.tab(), await rig.tab()
        await _running(rig)
        answer = await tab.command("pause")
        assert (answer["command"], answer["accepted"], answer["reason"]) == (
            "pause",
            True,
            "paused",
        )
        assert rig.session.runner.snapshot().state is SessionState.PAUSED
        await other.wait_for(lambda: other.view["paused"], "the pause on the other tab")
        assert other.view["status"].startswith("PAUSED")
        await rig.session.advance(5)  # a paused session stays paused, time passing or not
        assert rig.session.runner.snapshot().state is SessionState.PAUSED
        assert (await other.command("resume"))["accepted"] is True
        assert rig.session.runner.snapshot().state is SessionState.COUNTDOWN  # belt restarts
        await _running(rig)
        await tab.wait_for(lambda: not tab.view["paused"], "the resume")
        refused = await tab.command("resume")  # the session's own refusal comes back
        assert refused["accepted"] is False
        assert refused["reason"].startswith("not paused")


async def test_speed_nudges_and_stop_go_through_the_session(tmp_path: Path) -> None:
    async with attached(tmp_path) as rig:
        tab = await rig.tab()
        await _running(rig)
        await rig.session.advance(5)
        before = rig.session.runner.snapshot().target_speed_kmh
        assert before is not None
        answer = await tab.command("speed", 0.5)
        assert answer["accepted"] is True, answer
        assert rig.session.runner.snapshot().target_speed_kmh == pytest.approx(before + 0.5)
        assert (await tab.command("stop"))["accepted"] is True
        await rig.session.clock.run_until(rig.session.task, limit=60)
        assert rig.session.task.result().outcome == "stopped"


@pytest.mark.parametrize(
    "message",
    [
        "not json",
        b"\x00\x01binary",
        '{"type": "command", "command": "fly"}',
        '{"type": "command", "command": "speed", "amount": 9}',
        '{"type": "command", "command": "pause", "force": true}',
        '{"type": "hello"}',
        "[" * 600,
    ],
)
async def test_malformed_messages_are_refused_and_the_session_carries_on(
    tmp_path: Path, message: str | bytes
) -> None:
    async with attached(tmp_path) as rig:
        tab = await rig.tab()
        await _running(rig)
        before = rig.session.runner.snapshot()
        if isinstance(message, bytes):
            await tab.socket.send_bytes(message)
        else:
            await tab.send(message)
        await tab.wait_for(lambda: bool(tab.of_type("result")), "a refusal")
        (refusal,) = tab.of_type("result")
        assert refusal["accepted"] is False
        assert refusal["reason"]
        after = rig.session.runner.snapshot()
        assert (after.state, after.segment_index, after.target_speed_kmh) == (
            before.state,
            before.segment_index,
            before.target_speed_kmh,
        )
        assert (await tab.command("pause"))["accepted"] is True  # the socket still works


async def test_a_wrong_pin_is_refused_and_the_right_one_lets_the_browser_in(
    tmp_path: Path,
) -> None:
    async with attached(tmp_path, WebSettings(port=0, host="127.0.0.1", pin="4821")) as rig:
        for pin, reason in ((None, "PIN required"), ("1234", "wrong PIN")):
            refused = await rig.tab(pin)
            await all_see((refused,), lambda tab: tab.closed_with is not None, "the close")
            assert refused.received == [{"type": "refused", "reason": reason}]
            assert refused.closed_with == CLOSE_REFUSED
        silent = await rig.tab(hello=False)  # a command before the hello is no hello
        await silent.send({"type": "command", "command": "stop"})
        await silent.wait_for(lambda: silent.closed_with is not None)
        assert silent.received == [
            {"type": "refused", "reason": "the first message must be a hello"}
        ]
        assert rig.view.stats.refused == 3
        assert rig.view.notice.endswith(f":{rig.view.port}/ (PIN 4821)")
        tab = await rig.tab("4821")
        await _running(rig)
        assert (await tab.command("pause"))["accepted"] is True


async def test_view_only_shows_the_session_and_refuses_every_command(tmp_path: Path) -> None:
    settings = WebSettings(port=0, host="127.0.0.1", controls=False)
    async with attached(tmp_path, settings) as rig:
        tab = await rig.tab()
        await _running(rig)
        answer = await tab.command("stop")
        assert answer["accepted"] is False
        assert answer["reason"] == "controls are turned off (view only)"
        assert rig.session.runner.snapshot().state is SessionState.RUNNING
        assert tab.received[0]["controls"] is False
        assert "view only" in rig.view.notice


async def test_the_page_and_its_files_are_served(tmp_path: Path) -> None:
    async with attached(tmp_path) as rig:
        for path, kind, words in (
            ("", "text/html", '<main id="readout">'),
            ("app.js", "text/javascript", "new WebSocket"),
            ("style.css", "text/css", "prefers-color-scheme: dark"),
        ):
            async with rig.http.get(rig.url + path) as response:
                assert response.status == 200
                assert response.content_type == kind
                assert words in await response.text()
                assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        async with rig.http.get(rig.url + "nothing-here") as response:
            assert response.status == 404


async def test_another_sites_page_may_not_open_the_socket(tmp_path: Path) -> None:
    async with attached(tmp_path) as rig:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await rig.http.ws_connect(rig.url + "ws", origin="http://evil.example")
        assert refused.value.status == 403


async def test_a_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with attached(tmp_path) as rig:
            view = WebView(rig.session.runner, WebSettings(port=port, host="127.0.0.1"))
            with pytest.raises(ConfigError) as raised:
                await view.__aenter__()
    message = str(raised.value)
    assert (
        message == f"--web: the web view cannot listen on 127.0.0.1:{port}: Address already in use"
    )


async def test_a_browser_that_never_reads_does_not_hold_up_the_session(tmp_path: Path) -> None:
    # Every tick sends a state (no pacing), so the stalled socket's buffers fill quickly.
    tuning = WebTuning(min_gap_s=0.0, events_limit=8)
    async with attached(tmp_path, tuning=tuning) as rig:
        stalled = await stalled_browser(rig.view.port)
        try:
            reader = await rig.tab(hello=False)
            await reader.wait_for(lambda: rig.view.stats.clients == 1, "the stalled browser in")
            (stuck,) = rig.view._clients
            # A small send buffer on the server's side too (as on a weak Wi-Fi link): without
            # it the kernel takes this whole short session before the writer ever waits.
            assert stuck.socket._writer is not None
            server_side = stuck.socket._writer.transport.get_extra_info("socket")
            server_side.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
            await reader.send({"type": "hello"})
            await reader.wait_for(lambda: rig.view.stats.clients == 2, "the reading browser in")
            most_queued, blocked = 0, False
            while not rig.session.task.done():
                await rig.session.advance(1)
                most_queued = max(most_queued, len(stuck.outbox))
                blocked = blocked or stuck.sending
            ended = rig.session.task.result()
            await rig.session.clock.advance(1.0)  # the view's next tick takes the last events
            await reader.wait_for(lambda: bool(reader.of_type("ended")), "the end")
            await reader.wait_for(lambda: reader.view["ended"], "the final state")
        finally:
            stalled.close()
    assert ended.outcome == "finished"
    assert blocked, "the stalled browser's writer never waited for its socket"
    assert most_queued <= tuning.events_limit + 1  # bounded: the newest state and a few cues
    assert stuck.outbox.dropped > 0  # ...because older states were dropped, not queued


async def test_the_view_follows_the_session_only_while_a_browser_is_in(tmp_path: Path) -> None:
    async with attached(tmp_path) as rig:
        alone = rig.view.stats
        tab = await rig.tab()
        await tab.wait_for(lambda: rig.view.stats.clients == 1, "the browser in")
        watched = rig.view.stats
        await tab.close()
        await until(lambda: not rig.view.stats.following, "the view letting go")
        assert (alone.following, watched.following, rig.view.stats.clients) == (False, True, 0)
        again = await rig.tab()  # and a browser that comes back gets the state at once
        await again.wait_for(lambda: bool(again.of_type("state")), "the state")

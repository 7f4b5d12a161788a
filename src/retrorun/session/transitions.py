"""Running a transition table: the one rule every machine of the engine follows.

Each machine (`lifecycle`, `turn`, `commands`) writes its transitions as a table
``(state, input) -> next state``; `step` looks a pair up. A pair missing from the table is
the engine's own mistake (it asked for something the machine does not allow), so it
raises `LocalProtocolError` and leaves the state as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from retrorun.errors import LocalProtocolError

if TYPE_CHECKING:
    import enum
    from collections.abc import Mapping

_State = TypeVar("_State", bound="enum.Enum")
_Input = TypeVar("_Input", bound="enum.Enum")


def step(
    table: Mapping[tuple[_State, _Input], _State], state: _State, given: _Input, *, what: str
) -> _State:
    """The state after `given` in `state`; `LocalProtocolError` naming `what` otherwise."""
    nxt = table.get((state, given))
    if nxt is None:
        raise LocalProtocolError(f"a {state.value} {what} cannot take {given.value}")
    return nxt

"""The couple's rules: finding a partner by name, naming one, and two devices that always agree in the end."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connect_habits.core.couple import (
    PARTNER_KEY,
    check_partner_names,
    find_partner,
    new_partner,
    partner_id,
    renamed,
)
from connect_habits.core.model import Couple
from connect_habits.errors import InvalidInput, UsageError
from connect_habits.storage.config import Config, load_config
from connect_habits.storage.paths import resolve_paths
from connect_habits.storage.sealing import SECRET_KEY
from connect_habits.storage.sharing import share
from connect_habits.storage.store import Store

NAMES = {"p:maya": "Maya", "p:jonas": "Jonas"}


@pytest.mark.parametrize(
    "text, partner",
    [
        ("Maya", "p:maya"),
        ("maya", "p:maya"),
        ("  MAYA ", "p:maya"),
        ("jo", "p:jonas"),
        ("J", "p:jonas"),
        ("Ma", "p:maya"),
    ],
)
def test_a_partner_is_found_by_name_in_any_case_or_a_unique_prefix(text, partner):
    assert find_partner(NAMES, text) == partner


@pytest.mark.parametrize(
    "names, text, says",
    [
        (NAMES, "Mayaa", "'Mayaa' is not one of the partners (Maya, Jonas)."),
        (NAMES, "", "'' is not one of the partners (Maya, Jonas)."),
        ({"p:sam": "Sam", "p:sasha": "Sasha"}, "sa", "'sa' could be Sam or Sasha"),
        ({}, "Maya", "needs the partners' names first"),
    ],
)
def test_a_name_that_is_not_one_partner_gets_one_sentence(names, text, says):
    with pytest.raises(InvalidInput) as caught:
        find_partner(names, text)
    assert says in caught.value.message


def test_ids_come_from_the_first_name_and_stay_through_a_rename():
    assert partner_id(" Maya ") == partner_id("maya") == "p:maya"
    assert renamed(NAMES, "jonas", "Jo") == ("p:jonas", "Jo")
    with pytest.raises(InvalidInput):
        renamed(NAMES, "jonas", "MAYA")


@pytest.mark.parametrize(
    "names, text, error",
    [
        ({"p:maya": "Maya"}, "maya", InvalidInput),  # already a partner
        (NAMES, "Robin", UsageError),  # the couple is full
        ({}, "  ", InvalidInput),  # not a name
    ],
)
def test_a_new_partner_has_a_new_name_and_room(names, text, error):
    with pytest.raises(error):
        new_partner(names, text)


def test_names_given_together_differ_in_more_than_case_and_are_two_at_most():
    assert check_partner_names(["Maya", " Jonas "]) == ["Maya", "Jonas"]
    with pytest.raises(InvalidInput):
        check_partner_names(["Ana", "ANA"])
    with pytest.raises(UsageError):
        check_partner_names(["A", "B", "C"])


@pytest.mark.parametrize(
    "stored, partner",
    [
        ("p:maya", "p:maya"),  # an id
        ("Maya", "p:maya"),  # a name an older file wrote
        ("maya", "p:maya"),  # in another case
        ("p:mayaa", "p:maya"),  # a ghost merged into Maya
        ("Mayaa", "p:maya"),  # the ghost's name in an older file
        ("p:robin", "p:robin"),  # unknown: kept as it is
        (None, None),
    ],
)
def test_what_a_record_says_of_who_resolves_to_a_partner(stored, partner):
    couple = Couple("c", dict(NAMES), {"p:mayaa": "p:maya"})
    assert couple.resolve(stored) == partner


# ---------------------------------------------------------------- two devices, any interleaving


class Device:
    """One machine: its home, and its own view of the shared folder (what its sync tool has delivered)."""

    def __init__(self, root: Path, name: str):
        self.paths = resolve_paths({"CONNECT_HOME": str(root / name)})
        self.view = root / f"{name}-view"
        self.view.mkdir(parents=True)

    @property
    def joined(self) -> bool:
        return isinstance(load_config(self.paths.config_file).extra.get("sync_folder"), str)

    @property
    def code(self) -> str:
        """The pairing code this device made or took (in its private config)."""
        return load_config(self.paths.config_file).extra[SECRET_KEY]

    def store(self) -> Store:
        return Store(self.paths, load_config(self.paths.config_file))

    def names(self) -> dict[str, str]:
        return self.store().load().names

    def rename(self, old: str, new: str) -> None:
        with self.store().transaction() as tx:
            if old not in [n.casefold() for n in tx.snapshot.names.values()]:
                return
            try:
                pid, name = renamed(tx.snapshot.names, old, new)
            except InvalidInput:
                return  # the other partner's name: refused, as the command refuses it
            tx.change_couple(PARTNER_KEY + pid, name)


def deliver(source: Device, target: Device) -> None:
    """The sync tool: the files of `source`'s view reach `target`'s, except the target's own (only it writes them)."""
    own = load_config(target.paths.config_file).extra.get("device")
    for path in source.view.iterdir():
        if path.name.startswith("connect-") and not (isinstance(own, str) and path.name.startswith(f"connect-{own}")):
            shutil.copy2(path, target.view / path.name)


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("rename"),
            st.sampled_from("ab"),
            st.sampled_from(["maya", "jonas", "mia", "jo"]),
            st.sampled_from(["Mia", "Jo", "Maya", "Jonas", "May"]),
        ),
        st.tuples(st.just("join"), st.sampled_from("b"), st.sampled_from(["Jonas", "jonas", "Maya"]), st.just("")),
        st.tuples(st.just("sync"), st.sampled_from(["ab", "ba"]), st.just(""), st.just("")),
    ),
    max_size=8,
)


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=OPERATIONS)
def test_any_interleaving_of_renames_and_joins_on_two_devices_converges(tmp_path_factory, operations):
    root = tmp_path_factory.mktemp("couple")
    a, b = Device(root, "a"), Device(root, "b")
    a.paths.data_dir.mkdir(parents=True)
    share(a.paths, Config(partners=("Maya", "Jonas")), str(a.view), "Maya", joining=False)
    for operation, who, first, second in operations:
        device = a if who == "a" else b
        if operation == "rename" and device.joined:
            device.rename(first, second)
        elif operation == "join" and not b.joined:
            deliver(a, b)
            try:
                share(b.paths, load_config(b.paths.config_file), str(b.view), first, joining=True, code=a.code)
            except InvalidInput:
                pass  # not one of the partners: refused
        elif operation == "sync":
            source, target = (a, b) if who == "ab" else (b, a)
            deliver(source, target)
    if not b.joined:
        deliver(a, b)
        other = next(name for pid, name in a.names().items() if pid != "p:maya")
        share(b.paths, load_config(b.paths.config_file), str(b.view), other, joining=True, code=a.code)
    deliver(a, b)
    deliver(b, a)
    assert a.names() == b.names()
    assert len(a.names()) == 2

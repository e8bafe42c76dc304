"""`connect config`: list, read and change the settings, checked as the daemon reads them, so nobody edits TOML.

`partners` and `me` are not in the config file but in the data both machines share; they are here too,
so that every setting is in one place.
"""

from __future__ import annotations

import json

from ..errors import InvalidInput
from .context import Context
from .output import echo
from .spec import JSON, Argument, command

SHARED_KEYS = {
    "partners": "the two of you, by name, in the order you were named (connect partners rename changes one)",
    "me": "whose this device is (none: both of you use it)",
}


def _values(ctx: Context) -> list[dict]:
    from ..storage.config import setting_value, settings

    snapshot = ctx.load(since=ctx.today())  # who the partners are needs no history
    names = snapshot.names
    rows = [
        {"key": s.key, "value": setting_value(ctx.config, s.key), "default": s.default, "help": s.help}
        for s in settings().values()
    ]
    rows.append({"key": "partners", "value": list(names.values()), "default": [], "help": SHARED_KEYS["partners"]})
    me = names.get(snapshot.me) if snapshot.me else None
    rows.append({"key": "me", "value": me, "default": None, "help": SHARED_KEYS["me"]})
    return rows


def _text(value: object) -> str:
    if value is True:
        return "on"
    if value is False:
        return "off"
    if value is None or value == "":
        return "none"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


@command("", JSON, group="config")
def config_default(as_json: bool) -> None:
    """List every setting with its value (what `connect config list` does)."""
    config_list(as_json)


@command("list", JSON, group="config")
def config_list(as_json: bool) -> None:
    """Every setting, its value and what it does."""
    rows = _values(Context.from_environment())
    if as_json:
        echo(json.dumps({row["key"]: row["value"] for row in rows}, ensure_ascii=False, indent=2))
        return
    width = max(len(row["key"]) for row in rows)
    for row in rows:
        echo(f"{row['key']:<{width}}  {_text(row['value'])}")
        echo(f"{'':<{width}}  {row['help']}")


@command("get", Argument("key", "A setting (see `connect config list`)."), group="config")
def config_get(key: str) -> None:
    """Print one setting's value."""
    rows = {row["key"]: row for row in _values(Context.from_environment())}
    if key not in rows:
        raise InvalidInput(f"There is no setting '{key}'; the settings are {', '.join(rows)}.")
    echo(_text(rows[key]["value"]))


@command(
    "set",
    Argument("key", "A setting (see `connect config list`)."),
    Argument("value", "Its new value: checked before anything is saved."),
    group="config",
)
def config_set(key: str, value: str) -> None:
    """Change one setting (partners: "Maya, Jonas"; me: a partner's name, or none)."""
    from ..storage.config import save_config, setting_value, with_setting

    ctx = Context.from_environment()
    if key == "partners":
        from ..core.couple import check_partner_names
        from .firstrun import add_partners

        names = check_partner_names([n for n in value.split(",") if n.strip()])
        with ctx.transaction() as tx:
            current = list(tx.snapshot.names.values())
            if current and {n.casefold() for n in names} != {n.casefold() for n in current}:
                raise InvalidInput(
                    f"The partners are {' and '.join(current)}; to change a name, use `connect partners rename OLD NEW`."
                )
            add_partners(tx, names)
        echo(f"partners = {', '.join(tx.snapshot.names.values())}")
        return
    if key == "me":
        from .partners import set_me

        set_me(ctx, value)
        return
    config = with_setting(ctx.config, key, value)
    save_config(ctx.paths.config_file, config)
    echo(f"{key} = {_text(setting_value(config, key))}")

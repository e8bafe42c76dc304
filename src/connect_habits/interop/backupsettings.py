"""A backup's settings, checked as they are read, and the config a restore leaves; and how a backup is refused."""

from __future__ import annotations

import re

from ..errors import ConnectError, InvalidInput
from .backupfile import DEVICE_KEYS


def not_a_backup(source: str, why: str) -> ConnectError:
    """The one sentence that refuses a file as a backup (nothing was imported)."""
    return ConnectError(f"{source} is not a connect backup ({why}); nothing was imported.")


_CONFIG_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _config_value(value: object) -> bool:
    if isinstance(value, (str, bool, int, float)):
        return True
    return isinstance(value, list) and all(isinstance(v, (str, bool, int, float)) for v in value)


def backup_config(source: str, settings: object) -> dict:
    """A backup's settings, each checked as `connect config` checks it; this machine's own are left out."""
    from ..core.cadence import WEEK_STARTS

    if not isinstance(settings, dict):
        raise not_a_backup(source, "'config' is not a table of settings")
    partners = settings.get("partners", [])
    if not isinstance(partners, list) or not all(isinstance(p, str) for p in partners):
        raise not_a_backup(source, "the partners in 'config' are not a list of names")
    if settings.get("week_start", "monday") not in WEEK_STARTS:
        raise not_a_backup(source, 'week_start in \'config\' is not "monday" or "sunday"')
    from ..storage.config import settings as known_settings

    checks = known_settings()
    for key, value in settings.items():
        if not _CONFIG_KEY.fullmatch(key) or not _config_value(value):
            raise not_a_backup(source, f"the setting '{key}' in 'config' cannot be kept")
        if key in checks and key != "week_start":
            try:
                checks[key].parse(str(value).lower() if isinstance(value, bool) else str(value))
            except InvalidInput as error:
                raise not_a_backup(source, f"its setting {key} will not do: {error.message}") from None
    return {key: value for key, value in settings.items() if key not in (*DEVICE_KEYS, "me")}


def restored_config(current, settings: dict):
    """The home's config after a restore: the backup's settings, with this machine's own keys kept."""
    from ..storage.config import Config

    extra = {key: value for key, value in settings.items() if key not in ("partners", "week_start")}
    # This device stays who it is, and a shared home stays shared.
    extra.update({key: current.extra[key] for key in (*DEVICE_KEYS, "me") if key in current.extra})
    return Config(week_start=settings.get("week_start", "monday"), extra=extra)

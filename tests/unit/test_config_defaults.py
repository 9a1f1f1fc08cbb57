"""Configuration defaults (issue 10 §4): the state never in the folder a command happens to be
started in, and token lifetimes within one bound."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters import config
from adapters.config import default_var_dir, load_settings

CHECKOUT = Path(__file__).resolve().parents[2]


def test_the_default_var_dir_is_the_checkouts_wherever_the_command_starts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings({})
    assert settings.var_dir == CHECKOUT / "var"
    assert settings.database_url == f"sqlite:///{CHECKOUT / 'var' / 'ggzy.db'}"
    assert not (tmp_path / "var").exists()


def test_a_given_var_dir_is_taken_as_given(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings({"GGZY_VAR_DIR": "state"}).var_dir == tmp_path / "state"


def test_only_a_ggzy_hub_checkout_counts_as_one(tmp_path: Path) -> None:
    assert config._is_checkout(CHECKOUT)
    assert not config._is_checkout(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n', encoding="utf-8")
    assert not config._is_checkout(tmp_path)


def test_an_installed_package_keeps_its_state_in_the_users_data_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed (not a checkout), the code lives in site-packages: its state goes to the XDG
    data folder, not next to the code and not into the working folder."""
    monkeypatch.setattr(config, "_is_checkout", lambda folder: False)
    assert default_var_dir({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "ggzy-hub"
    assert default_var_dir({}) == Path.home() / ".local" / "share" / "ggzy-hub"


@pytest.mark.parametrize("hours", ["0", "721"])
def test_the_sign_in_token_lifetime_is_bounded_like_every_token(hours: str) -> None:
    with pytest.raises(SystemExit, match="GGZY_TOKEN_TTL_HOURS"):
        load_settings({"GGZY_TOKEN_TTL_HOURS": hours})
    assert load_settings({"GGZY_TOKEN_TTL_HOURS": "720"}).token_ttl_hours == 720

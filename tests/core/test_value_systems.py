import pytest

from adaem_tasks.value_systems import available_value_systems, load_value_system


def test_shipped_systems() -> None:
    assert available_value_systems() == ["mft", "schwartz"]
    schwartz = load_value_system("schwartz")
    assert len(schwartz.values) == 10
    assert schwartz.value("power").definition.startswith("social status and prestige")
    assert len(load_value_system("mft").values) == 5


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Self-Direction", "self_direction"),
        ("self direction", "self_direction"),
        ("POW", "power"),
        ("Care/Harm", "care"),
        ("care", "care"),
    ],
)
def test_match_free_text(label: str, key: str) -> None:
    system = load_value_system("mft" if key == "care" else "schwartz")
    matched = system.match(label)
    assert matched is not None and matched.key == key


def test_unknown_system_and_value() -> None:
    with pytest.raises(ValueError, match="unknown value system 'rokeach'"):
        load_value_system("rokeach")
    with pytest.raises(KeyError, match="not a value of 'schwartz'"):
        load_value_system("schwartz").value("care")
    assert load_value_system("schwartz").match("kindness") is None

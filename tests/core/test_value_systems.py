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


def test_schwartz_groups_follow_the_circumplex() -> None:
    schwartz = load_value_system("schwartz")
    assert schwartz.same_group("tradition") == ["security", "conformity"]
    assert schwartz.opposite_group("tradition") == ["self_direction", "stimulation", "hedonism"]
    assert schwartz.opposite_group("power") == ["benevolence", "universalism"]
    # hedonism sits between openness to change and self-enhancement (Schwartz 2012): in both
    assert [g.key for g in schwartz.groups_of("hedonism")] == ["openness_to_change", "self_enhancement"]
    assert schwartz.same_group("hedonism") == ["self_direction", "stimulation", "achievement", "power"]
    assert set(schwartz.opposite_group("hedonism")) == {
        "security",
        "conformity",
        "tradition",
        "benevolence",
        "universalism",
    }
    for key in schwartz.keys:  # a value is never its own opposite, nor in both of its lists
        assert key not in schwartz.same_group(key) + schwartz.opposite_group(key)
        assert not set(schwartz.same_group(key)) & set(schwartz.opposite_group(key))


def test_mft_groups_are_individualizing_and_binding() -> None:
    mft = load_value_system("mft")
    assert mft.same_group("care") == ["fairness"]
    assert mft.opposite_group("care") == ["loyalty", "authority", "sanctity"]
    assert mft.opposite_group("sanctity") == ["care", "fairness"]


def test_inconsistent_groups_are_refused() -> None:
    from adaem_tasks.value_systems import ValueSystem

    base = load_value_system("mft").model_dump()
    unknown = {**base, "groups": [{"key": "a", "name": "A", "values": ["care", "kindness"]}]}
    with pytest.raises(ValueError, match="unknown values \\['kindness'\\]"):
        ValueSystem.model_validate(unknown)
    one_sided = {
        **base,
        "groups": [
            {"key": "a", "name": "A", "values": ["care"], "opposite": "b"},
            {"key": "b", "name": "B", "values": ["loyalty"]},
        ],
    }
    with pytest.raises(ValueError, match="opposition must be mutual"):
        ValueSystem.model_validate(one_sided)

"""The shared checkers of numeric options: one line of error for every bad value."""

from __future__ import annotations

import argparse

import pytest
from pydantic import BaseModel, Field, ValidationError

from adaem_tasks.cli_types import arg_float, arg_int, flag, number, pydantic_message
from adaem_tasks.errors import InputError, as_prerequisite_error


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", float("nan"), float("inf")])
def test_non_finite_numbers_are_refused(value: object) -> None:
    with pytest.raises(InputError, match="finite"):
        number("--mu", value)


@pytest.mark.parametrize("value", ["2.5", 2.5, "abc", True, None, [3]])
def test_an_int_option_refuses_what_is_not_an_integer(value: object) -> None:
    with pytest.raises(InputError, match="points must be an integer >= 1"):
        number("points", value, "int", low=1)


@pytest.mark.parametrize(("value", "expected"), [("3", 3), (3, 3), (3.0, 3), ("0", 0)])
def test_an_int_option_takes_integral_values(value: object, expected: int) -> None:
    assert number("points", value, "int", low=0) == expected


def test_bounds_closed_and_open() -> None:
    assert number("p", "1", low=0, high=1) == 1.0
    with pytest.raises(InputError, match="> 0 and < 1"):
        number("p", 1, low=0, high=1, low_open=True, high_open=True)
    with pytest.raises(InputError, match=">= 0"):
        number("p", -0.5, low=0)


def test_argparse_types_exit_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="prog")
    parser.add_argument("--mu", type=arg_float())
    parser.add_argument("--replicates", type=arg_int(0, 10_000))
    assert parser.parse_args(["--mu", "25", "--replicates", "10"]).replicates == 10
    for argv in (["--mu", "nan"], ["--replicates", "100000000"], ["--replicates", "2.5"]):
        with pytest.raises(SystemExit) as stop:
            parser.parse_args(argv)
        assert stop.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err[-1].startswith(f"prog: error: argument {argv[0]}: must be ")
        assert "Traceback" not in "".join(err)


def test_pydantic_message_is_one_line_per_field() -> None:
    class Config(BaseModel):
        accept_rate: float = Field(gt=0, le=1)
        budget: int = Field(ge=1)

    with pytest.raises(ValidationError) as caught:
        Config(accept_rate=2, budget=0)
    message = pydantic_message(caught.value, prefix="--")
    assert "\n" not in message
    assert message.startswith("--accept_rate: Input should be less than or equal to 1 (got 2)")
    assert "--budget: Input should be greater than or equal to 1 (got 0)" in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), (1, True), (0, False), ("true", True), ("FALSE", False), (" 0 ", False)],
)
def test_flag_takes_bools_and_their_spellings(value: object, expected: bool) -> None:
    assert flag("judge_logprobs", value) is expected


@pytest.mark.parametrize("value", ["maybe", "", 2, -1, 0.5, 1.0, None, [True]])
def test_flag_refuses_what_python_would_read_by_truthiness(value: object) -> None:
    with pytest.raises(InputError, match=r"^judge_logprobs must be true or false \(or 1 or 0\), got "):
        flag("judge_logprobs", value)


def test_a_pydantic_error_becomes_one_line_for_inspect() -> None:
    """Inspect prints a task's PrerequisiteError as is: pydantic's report would be several lines."""

    class Config(BaseModel):
        threshold: float = Field(ge=0, le=1)

    with pytest.raises(ValidationError) as caught:
        Config(threshold=2)
    error = as_prerequisite_error(caught.value, context="adaem_tasks/schwartz")
    assert str(error) == "adaem_tasks/schwartz: threshold: Input should be less than or equal to 1 (got 2)"

"""Text and flag values as they were typed, without a pydantic adapter each.

typer 0.29 converts every parameter's value through a pydantic TypeAdapter it builds on first use:
importing its adapter module and building the adapters for a plain command's few options (`--actor`,
`--now`, `--help`, a case id) was about a tenth of `witness case list`'s start (issue 16, item 7).
A command-line value of a `str` parameter is already that string, and a flag already a bool, so
for those two types — with no parser or click type of their own — typer's own pass-through
conversion (the one it uses where pydantic has no schema) gives the same value, and the same
"is not a valid" refusal for anything else. Every other type (numbers, enums, lists, dates, paths)
keeps typer's adapter and its checks.

This reaches into typer's `_runtime_param` slot (typer is pinned below 0.30 in pyproject.toml);
tests/e2e/test_typed_values.py fails if a typer release moves it, so the speed cannot silently go.
"""
from __future__ import annotations

_PLAIN = (str, bool)


def pass_plain_values(command) -> None:
    """Give every plain `str`/`bool` parameter of `command` and its sub-commands typer's pass-through
    conversion, the `--help` flag click adds at parsing time included."""
    for param in getattr(command, "params", []):
        _pass_through(param)
    original = getattr(command, "get_help_option", None)
    if original is not None:
        def get_help_option(ctx, _original=original):
            option = _original(ctx)
            if option is not None:
                _pass_through(option)
            return option

        command.get_help_option = get_help_option
    for sub in getattr(command, "commands", {}).values():
        pass_plain_values(sub)


def _pass_through(param) -> None:
    from typer._coercion import PassThroughRuntimeParam

    described = getattr(param, "type_descriptor", None)
    if (described is None or getattr(param, "_runtime_param", False) is not None
            or described.annotation not in _PLAIN or param.multiple or param.nargs != 1
            or described.parameter_info.parser is not None
            or getattr(described.parameter_info, "click_type", None) is not None):
        return
    param._runtime_param = PassThroughRuntimeParam(parameter_info=described.parameter_info,
                                                   annotation=described.annotation)

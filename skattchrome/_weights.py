"""Network weights moved strictly: every tensor named, shaped and accounted for.

Shared by warm starts, saved model files and the published models, so that
weights that do not fit a network are refused in one way, with the missing,
unexpected and mis-shaped tensors named.
"""

import torch

from ._validation import SHOWN_IN_ERRORS


def tensor_layout_problems(expected, given):
    """What keeps tensors ``given`` from matching ``expected``, in words, or "".

    Both map tensor names to shapes; the words name the missing, unexpected
    and mis-shaped tensors (the first :data:`SHOWN_IN_ERRORS` of each).
    """
    missing = sorted(set(expected) - set(given))
    unexpected = sorted(set(given) - set(expected))
    misshaped = [
        f"{name} {given[name]} (expected {expected[name]})"
        for name in sorted(set(expected) & set(given))
        if tuple(given[name]) != tuple(expected[name])
    ]
    return "; ".join(
        f"{label}: {', '.join(names[:SHOWN_IN_ERRORS])}"
        + (
            f" and {len(names) - SHOWN_IN_ERRORS} more"
            if len(names) > SHOWN_IN_ERRORS
            else ""
        )
        for label, names in (
            ("missing", missing),
            ("unexpected", unexpected),
            ("of another shape", misshaped),
        )
        if names
    )


def load_weights(module, state_dict, source, remedy=""):
    """Copy ``state_dict`` into ``module``'s parameters, strictly.

    Every tensor of the module must be given with its shape, and nothing else:
    otherwise a ValueError names the missing, unexpected and mis-shaped
    tensors of ``source`` (the words that name where the weights come from),
    followed by ``remedy``.
    """
    problems = tensor_layout_problems(
        {name: tuple(tensor.shape) for name, tensor in module.state_dict().items()},
        {name: tuple(tensor.shape) for name, tensor in state_dict.items()},
    )
    if problems:
        raise ValueError(
            f"The weights of {source} do not fit {type(module).__name__} as "
            f"configured; tensors {problems}.{remedy}"
        )
    with torch.no_grad():
        module.load_state_dict(state_dict, strict=True)

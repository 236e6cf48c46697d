"""Where the neural estimators compute: the choice of device and its settings."""

from contextlib import contextmanager

import torch

# Devices with a fused Adam kernel: one update for all parameters instead of a
# dozen small operations per parameter tensor.
FUSED_ADAM_DEVICES = ("cpu", "cuda")


@contextmanager
def deterministic_cudnn(device):
    """Run the enclosed training with cuDNN's deterministic algorithms on CUDA.

    cuDNN otherwise picks convolution algorithms that add in varying order, so
    two fits with the same ``random_state`` would differ in the last bits. The
    flags are restored on exit; on other devices nothing changes.
    """
    if torch.device(device).type != "cuda":
        yield
        return
    cudnn = torch.backends.cudnn
    previous = cudnn.deterministic, cudnn.benchmark
    cudnn.deterministic, cudnn.benchmark = True, False
    try:
        yield
    finally:
        cudnn.deterministic, cudnn.benchmark = previous


def resolve_device(device):
    """The torch device string of the ``device`` parameter, if this machine has it.

    ``"auto"`` is CUDA when available, else the CPU; a device that is not
    valid or not available here raises a ValueError that says so.
    """
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        torch_device = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise ValueError(
            f"device={device!r} is not a valid device; use 'auto', 'cpu', 'cuda' "
            "or 'cuda:N'."
        ) from error
    if torch_device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested, but CUDA is not available on "
                "this machine; use device='auto' or 'cpu'."
            )
        if torch_device.index is not None and (
            torch_device.index >= torch.cuda.device_count()
        ):
            raise ValueError(
                f"device={device!r} was requested, but this machine has "
                f"{torch.cuda.device_count()} CUDA device(s)."
            )
    elif torch_device.type == "mps":
        if not torch.backends.mps.is_available():
            raise ValueError(
                f"device={device!r} was requested, but MPS is not available."
            )
    elif torch_device.type != "cpu":
        raise ValueError(
            f"device={device!r} is not supported; use 'auto', 'cpu', 'cuda' or "
            "'cuda:N'."
        )
    return str(torch_device)

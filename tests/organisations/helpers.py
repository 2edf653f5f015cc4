"""Test data of the register tests: the shared samples (copied) and small crafted files."""
from pathlib import Path

DATA = Path(__file__).parent / "data"


def data_path(name: str) -> str:
    return str(DATA / name)


def data_bytes(name: str) -> bytes:
    return (DATA / name).read_bytes()

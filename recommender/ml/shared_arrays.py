"""Named arrays in one .npz file that every web worker maps instead of copying.

np.load reads an .npz member into the process's own memory, so N web workers hold N copies of
a version's tables. A member stored uncompressed is a plain .npy file inside the zip; when its
data starts on a 64-byte boundary it can be memory-mapped read-only, and the operating system
keeps one copy in its page cache for all processes. arrays_save writes such files (np.load and
any zip tool still read them); arrays_map maps every stored member and reads the rest (files
written by np.savez or np.savez_compressed before this module existed).
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np

# numpy pads an .npy header so that the data starts at a multiple of this from the file's start.
_ALIGNMENT = 64
# Zip local file header: fixed 30 bytes, then the file name, then the extra field.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
# Extra-field id for our padding block; readers skip ids they do not know.
_PADDING_ID = 0xA11A


def arrays_save(path: Path, arrays: Mapping[str, np.ndarray]) -> Path:
    """Write `arrays` as an uncompressed .npz whose members can be mapped; return the path."""
    path = Path(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, value in arrays.items():
            array = np.ascontiguousarray(value)
            if array.dtype.hasobject:
                raise ValueError(f"array {name!r} holds Python objects, which cannot be mapped")
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            name_bytes = len(info.filename.encode("utf-8"))
            start = archive.fp.tell() if archive.fp is not None else 0
            padding = -(start + _LOCAL_HEADER.size + name_bytes) % _ALIGNMENT
            if padding < 4:  # an extra-field block needs 4 bytes for its id and length
                padding += _ALIGNMENT
            info.extra = struct.pack("<2H", _PADDING_ID, padding - 4) + b"\0" * (padding - 4)
            with archive.open(info, "w") as member:
                np.lib.format.write_array(member, array, allow_pickle=False)
    return path


def arrays_map(path: Path) -> dict[str, np.ndarray]:
    """Every array of an .npz: stored members mapped read-only, compressed members read."""
    path = Path(path)
    arrays: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as archive, path.open("rb") as raw:
        for info in archive.infolist():
            name = info.filename.removesuffix(".npy")
            mapped = None
            if info.compress_type == zipfile.ZIP_STORED:
                mapped = _mapped_member(path, raw, info)
            if mapped is None:
                with archive.open(info) as member:
                    mapped = np.lib.format.read_array(member, allow_pickle=False)
            arrays[name] = mapped
    return arrays


def _mapped_member(path: Path, raw: BinaryIO, info: zipfile.ZipInfo) -> np.ndarray | None:
    """A read-only view of one stored member's data, or None when it cannot be mapped."""
    raw.seek(info.header_offset)
    fields = _LOCAL_HEADER.unpack(raw.read(_LOCAL_HEADER.size))
    if fields[0] != _LOCAL_SIGNATURE:
        raise ValueError(f"{path}: member {info.filename!r} has no local header")
    name_length, extra_length = fields[-2], fields[-1]
    member_start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    raw.seek(member_start)
    version = np.lib.format.read_magic(raw)
    if version == (1, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(raw)
    elif version == (2, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(raw)
    else:
        return None
    data_start = raw.tell()
    if dtype.hasobject or data_start % max(dtype.alignment, 1):
        return None
    if int(np.prod(shape)) == 0:
        return np.zeros(shape, dtype=dtype)
    order: Literal["C", "F"] = "F" if fortran_order else "C"
    mapped = np.memmap(path, dtype=dtype, mode="r", offset=data_start, shape=shape, order=order)
    # A plain ndarray view: callers see numpy arrays, the mapping stays alive through .base.
    return np.asarray(mapped)


def readonly(array: np.ndarray, dtype: type | np.dtype) -> np.ndarray:
    """A C-contiguous read-only view of `array` as `dtype` (a copy only when it must convert).

    The compiled ranking code (candidate_kernel.py) is compiled once per array type, and numba
    counts read-only and writable arrays as different types: mapped files are read-only, arrays
    the worker has just built are writable. Handing it read-only views of both keeps one
    compiled version, shared through numba's on-disk cache.
    """
    view = np.ascontiguousarray(array, dtype=dtype).view()
    view.flags.writeable = False
    return view

"""The papers' own data sets from local copies, never downloaded (docs/science.md sec. 2.6).

- MNIST from its four idx files (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
  ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``), gzipped (``.gz``) or not;
- CIFAR-10 from its python batches (``data_batch_1`` .. ``data_batch_5``, ``test_batch``: pickled
  dicts with ``data`` (N x 3072 uint8, channel-major) and ``labels``), the folder the release unpacks
  to (``cifar-10-batches-py``) or the folder above it.

Every copy is checked on load: the file set, each file's format and shape, image and label counts, the
label range, and, for the standard release's files (MNIST's ``.gz`` files, CIFAR-10's batches), their MD5
checksums whenever a file is the full-size one.  A check that fails raises :class:`DataCopyError`
naming the config key (``<experiment>.data.<name>.path``, passed in as ``key``), the path and what is
wrong.  Loaders return ``X, y, X_test, y_test`` subsampled to ``n_train`` / ``n_test`` with ``seed``
(all of a split when the count equals its size).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
from pathlib import Path

import numpy as np

__all__ = [
    "DataCopyError",
    "read_idx",
    "mnist_files",
    "cifar10_files",
    "load_mnist",
    "load_cifar10",
    "check_mnist",
    "check_cifar10",
    "write_idx",
    "write_mnist_copy",
    "write_cifar10_copy",
    "MNIST_MD5",
    "CIFAR10_MD5",
]

# The standard releases' checksums (the same ones torchvision and others check).
MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
CIFAR10_MD5 = {
    "data_batch_1": "c99cafc152244af753f735de768cd75f",
    "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
    "data_batch_4": "634d18415352ddfa80567beed471001a",
    "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
    "test_batch": "40351d587109b95175f43aff81a1287e",
}
MNIST_STEMS = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
MNIST_SIZES = {"train": 60000, "test": 10000}
CIFAR10_BATCH = 10000  # images per batch in the release
CIFAR10_FOLDER = "cifar-10-batches-py"

# idx type codes (the format's third byte) -> numpy dtype, big-endian.
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class DataCopyError(ValueError):
    """A local copy of a data set is missing files or does not hold what the format says."""


def _folder(path, key: str) -> Path:
    folder = os.path.expandvars(str(path))
    if "$" in folder:
        raise _fail(
            key, path, "names an environment variable that is not set (export it, or write the folder out)"
        )
    return Path(folder).expanduser()


def _fail(key: str, path, problem: str) -> DataCopyError:
    return DataCopyError(f"{key} = {str(path)!r}: {problem}")


def _md5(path: Path) -> str:
    digest = hashlib.md5()  # integrity against the published checksums, not security
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_idx(path, key: str = "path") -> np.ndarray:
    """The array an idx file (LeCun's format, gzipped or not) holds."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            raw = stream.read()
    except (OSError, EOFError) as error:
        raise _fail(
            key, path, f"cannot be read as {'gzip' if opener is gzip.open else 'an idx file'} ({error})"
        ) from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise _fail(key, path, "is not an idx file (its first bytes are not 0, 0, a type code)")
    dims = raw[3]
    header = 4 + 4 * dims
    if len(raw) < header:
        raise _fail(key, path, "is cut short inside its header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise _fail(key, path, f"holds {len(raw)} bytes; its header {shape} of {dtype} says {expected}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


def mnist_files(folder, key: str = "path") -> dict[str, Path]:
    """The four idx files of an MNIST copy in ``folder`` (each ``.gz`` or not), by stem."""
    folder = _folder(folder, key)
    if not folder.is_dir():
        raise _fail(key, folder, "is not a folder (point it at the folder holding MNIST's four idx files)")
    found, missing = {}, []
    for stem in MNIST_STEMS:
        candidates = [folder / (stem + ext) for ext in (".gz", "") if (folder / (stem + ext)).is_file()]
        if not candidates:
            missing.append(stem + "[.gz]")
        else:
            found[stem] = candidates[0]
    if missing:
        raise _fail(
            key,
            folder,
            f"has no {', '.join(missing)} (MNIST needs {', '.join(s + '[.gz]' for s in MNIST_STEMS)})",
        )
    return found


def _check_md5(path: Path, table: dict, key: str) -> None:
    expected = table.get(path.name)
    if expected is not None and _md5(path) != expected:
        raise _fail(
            key,
            path,
            f"has the standard file's name and size but not its MD5 checksum ({expected}): a damaged or "
            "altered copy",
        )


def _mnist_split(files: dict, split: str, key: str):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(files[f"{prefix}-images-idx3-ubyte"], key)
    labels = read_idx(files[f"{prefix}-labels-idx1-ubyte"], key)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise _fail(
            key,
            files[f"{prefix}-images-idx3-ubyte"],
            f"holds {images.dtype} images of shape {images.shape}; MNIST's are uint8 (N, 28, 28)",
        )
    if images.shape[1:] != (28, 28):
        raise _fail(
            key,
            files[f"{prefix}-images-idx3-ubyte"],
            f"holds images of {images.shape[1:]}; MNIST's are 28 x 28",
        )
    if labels.ndim != 1 or len(labels) != len(images):
        raise _fail(
            key,
            files[f"{prefix}-labels-idx1-ubyte"],
            f"holds labels of shape {labels.shape} for {len(images)} images",
        )
    if len(labels) and (labels.min() < 0 or labels.max() > 9):
        raise _fail(
            key,
            files[f"{prefix}-labels-idx1-ubyte"],
            f"holds labels in [{labels.min()}, {labels.max()}]; MNIST's are 0..9",
        )
    if len(images) == MNIST_SIZES[split]:  # the full release: its files must be the published ones
        for stem in ("images-idx3-ubyte", "labels-idx1-ubyte"):
            _check_md5(files[f"{prefix}-{stem}"], MNIST_MD5, key)
    return images, labels.astype(np.int64)


def cifar10_files(folder, key: str = "path") -> dict[str, Path]:
    """The six python batches of a CIFAR-10 copy, in ``folder`` or its ``cifar-10-batches-py``."""
    folder = _folder(folder, key)
    if not folder.is_dir():
        raise _fail(
            key,
            folder,
            "is not a folder (point it at cifar-10-batches-py, the folder the python release unpacks to)",
        )
    if not (folder / "test_batch").is_file() and (folder / CIFAR10_FOLDER).is_dir():
        folder = folder / CIFAR10_FOLDER
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        raise _fail(
            key,
            folder,
            f"has no {', '.join(missing)} (CIFAR-10 needs data_batch_1..5 and test_batch, the python "
            "release)",
        )
    return {n: folder / n for n in names}


def _cifar_batch(path: Path, key: str):
    try:
        with open(path, "rb") as stream:
            batch = pickle.load(stream, encoding="bytes")
    except Exception as error:  # pickle raises many kinds on a damaged file
        raise _fail(key, path, f"is not a pickled CIFAR-10 batch ({type(error).__name__}: {error})") from None
    if not isinstance(batch, dict):
        raise _fail(
            key, path, f"holds a {type(batch).__name__}; a CIFAR-10 batch is a dict with data and labels"
        )
    batch = {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}
    if "data" not in batch or "labels" not in batch:
        raise _fail(key, path, f"has keys {sorted(batch)}; a CIFAR-10 batch has data and labels")
    data, labels = np.asarray(batch["data"]), np.asarray(batch["labels"])
    if data.ndim != 2 or data.shape[1] != 3072 or data.dtype != np.uint8:
        raise _fail(key, path, f"holds data of {data.dtype} {data.shape}; CIFAR-10's is uint8 (N, 3072)")
    if labels.shape != (len(data),):
        raise _fail(key, path, f"holds {labels.shape} labels for {len(data)} images")
    if len(labels) and (labels.min() < 0 or labels.max() > 9):
        raise _fail(key, path, f"holds labels in [{labels.min()}, {labels.max()}]; CIFAR-10's are 0..9")
    if len(data) == CIFAR10_BATCH:
        _check_md5(path, CIFAR10_MD5, key)
    return data.reshape(len(data), 3, 32, 32), labels.astype(np.int64)


def _subsample(X, y, n: int, seed: int, split: str, key: str):
    if n > len(y):
        raise DataCopyError(f"{key}: n_{split} = {n} but the copy's {split} split has {len(y)} images")
    if n == len(y):
        return X, y
    keep = np.sort(np.random.default_rng(seed).permutation(len(y))[:n])
    return X[keep], y[keep]


def load_mnist(seed: int, n_train: int, n_test: int, path, key: str = "path"):
    """MNIST's train and test splits from a local copy, ``n_train`` / ``n_test`` of each drawn with
    ``seed``."""
    files = mnist_files(path, key)
    X, y = _mnist_split(files, "train", key)
    X_test, y_test = _mnist_split(files, "test", key)
    return (
        *_subsample(X, y, n_train, seed, "train", key),
        *_subsample(X_test, y_test, n_test, seed + 1, "test", key),
    )


def load_cifar10(seed: int, n_train: int, n_test: int, path, key: str = "path"):
    """CIFAR-10's train (five batches) and test splits from a local copy, subsampled with ``seed``."""
    files = cifar10_files(path, key)
    parts = [_cifar_batch(files[f"data_batch_{i}"], key) for i in range(1, 6)]
    X, y = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    X_test, y_test = _cifar_batch(files["test_batch"], key)
    return (
        *_subsample(X, y, n_train, seed, "train", key),
        *_subsample(X_test, y_test, n_test, seed + 1, "test", key),
    )


def _idx_count(path: Path, key: str) -> int:
    """How many items an idx file says it holds (its header's first dimension), read without the rest."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            head = stream.read(8)
    except (OSError, EOFError) as error:
        raise _fail(
            key, path, f"cannot be read as {'gzip' if opener is gzip.open else 'an idx file'} ({error})"
        ) from None
    if len(head) < 8 or head[0] != 0 or head[1] != 0 or head[2] not in _IDX_TYPES or head[3] < 1:
        raise _fail(key, path, "is not an idx file (its first bytes are not 0, 0, a type code, a rank)")
    return int.from_bytes(head[4:8], "big")


def check_mnist(path, key: str = "path") -> dict[str, int]:
    """The check made before any job starts: the copy's file set is there; returns how many images each
    split holds, as its label files' headers say (the contents are checked when a job loads them)."""
    files = mnist_files(path, key)
    return {
        split: _idx_count(files[f"{prefix}-labels-idx1-ubyte"], key)
        for split, prefix in (("train", "train"), ("test", "t10k"))
    }


def check_cifar10(path, key: str = "path") -> dict[str, int]:
    """As :func:`check_mnist`, for CIFAR-10: every batch is read and checked (format, shape, labels,
    checksum), and the images of each split counted."""
    files = cifar10_files(path, key)
    train = sum(len(_cifar_batch(files[f"data_batch_{i}"], key)[1]) for i in range(1, 6))
    return {"train": train, "test": len(_cifar_batch(files["test_batch"], key)[1])}


# Synthetic copies in the exact formats: for tests, the paper tier's smoke variant and `make gpu-check`.


def _images(n: int, shape: tuple, seed: int):
    """Learnable images: a fixed random template per class plus noise, as uint8."""
    rng = np.random.default_rng(seed)
    templates = np.random.default_rng(12345).uniform(0, 255, size=(10, *shape))
    labels = rng.integers(0, 10, size=n)
    images = 0.6 * templates[labels] + rng.uniform(0, 0.4 * 255, size=(n, *shape))
    return np.clip(images, 0, 255).astype(np.uint8), labels.astype(np.uint8)


def write_idx(path, array: np.ndarray) -> None:
    """``array`` (uint8) as an idx file, gzipped when ``path`` ends in ``.gz``."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as stream:
        stream.write(header + array.tobytes())


def write_mnist_copy(folder, n_train: int = 60, n_test: int = 20, seed: int = 0, gz: bool = True) -> Path:
    """A synthetic MNIST copy (28 x 28 uint8 images, labels 0..9) as the four idx files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ext = ".gz" if gz else ""
    for prefix, n, s in (("train", n_train, seed), ("t10k", n_test, seed + 1)):
        images, labels = _images(n, (28, 28), s)
        write_idx(folder / f"{prefix}-images-idx3-ubyte{ext}", images)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte{ext}", labels)
    return folder


def write_cifar10_copy(folder, per_batch: int = 12, n_test: int = 20, seed: int = 0) -> Path:
    """A synthetic CIFAR-10 copy: ``cifar-10-batches-py`` with five training batches and the test batch."""
    folder = Path(folder) / CIFAR10_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate([f"data_batch_{b}" for b in range(1, 6)] + ["test_batch"]):
        images, labels = _images(n_test if name == "test_batch" else per_batch, (3, 32, 32), seed + i)
        batch = {
            b"batch_label": name.encode(),
            b"labels": [int(v) for v in labels],
            b"data": images.reshape(len(images), -1),
            b"filenames": [f"{name}_{j}.png".encode() for j in range(len(images))],
        }
        with open(folder / name, "wb") as stream:
            pickle.dump(batch, stream, protocol=2)
    return folder.parent


def main(argv=None) -> int:
    """``python -m regimes.networks.local FOLDER``: small synthetic copies of MNIST (FOLDER/mnist) and
    CIFAR-10 (FOLDER/cifar-10-batches-py) in the exact formats, for trying the paper tier's workflow."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m regimes.networks.local", description=main.__doc__)
    parser.add_argument("folder")
    parser.add_argument(
        "--n-train", type=int, default=200, help="MNIST training images (CIFAR-10: a fifth per batch)"
    )
    parser.add_argument("--n-test", type=int, default=100)
    args = parser.parse_args(argv)
    write_mnist_copy(Path(args.folder) / "mnist", args.n_train, args.n_test)
    write_cifar10_copy(args.folder, max(1, args.n_train // 5), args.n_test)
    print(
        f"synthetic copies written: {Path(args.folder) / 'mnist'}, {Path(args.folder) / CIFAR10_FOLDER} "
        f"(export REGIMES_DATA={args.folder})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Local copies of MNIST and CIFAR-10: synthetic files in the exact formats are read back exactly, and
incomplete or damaged copies are refused with the config key, the path and what is wrong."""

import gzip
import pickle

import numpy as np
import pytest

from regimes.networks import local
from regimes.networks.data import classification_dataset
from regimes.networks.local import DataCopyError

KEY = "paper.data.mnist.path"


@pytest.mark.parametrize("gz", [True, False])
def test_idx_files_are_read_back_exactly(tmp_path, gz):
    images = np.random.default_rng(0).integers(0, 256, size=(7, 28, 28)).astype(np.uint8)
    path = tmp_path / ("x.idx.gz" if gz else "x.idx")
    local.write_idx(path, images)
    np.testing.assert_array_equal(local.read_idx(path), images)
    # Hand-made header, independent of write_idx: magic 0x00000801, count 3, then the labels.
    raw = bytes([0, 0, 8, 1, 0, 0, 0, 3, 4, 1, 9])
    (tmp_path / "labels").write_bytes(raw)
    np.testing.assert_array_equal(local.read_idx(tmp_path / "labels"), [4, 1, 9])


@pytest.mark.parametrize("gz", [True, False])
def test_mnist_copy_loads_with_its_shapes_labels_and_subsample(tmp_path, gz):
    local.write_mnist_copy(tmp_path, n_train=50, n_test=20, gz=gz)
    X, y, X_test, y_test = local.load_mnist(0, 50, 20, path=tmp_path)
    assert X.shape == (50, 28, 28) and X_test.shape == (20, 28, 28) and X.dtype == np.uint8
    assert y.min() >= 0 and y.max() <= 9 and y.dtype == np.int64
    # A subsample is a seeded subset of the full split, in file order.
    Xs, ys, _, _ = local.load_mnist(3, 30, 20, path=tmp_path)
    rows = [int(np.flatnonzero((X == x).all(axis=(1, 2)))[0]) for x in Xs]
    assert rows == sorted(rows) and len(set(rows)) == 30
    np.testing.assert_array_equal(ys, y[rows])
    with pytest.raises(DataCopyError, match="n_train = 51 but the copy's train split has 50"):
        local.load_mnist(0, 51, 20, path=tmp_path)


def test_classification_dataset_reads_a_local_copy_and_standardises_it(tmp_path):
    local.write_mnist_copy(tmp_path, n_train=40, n_test=20)
    data = classification_dataset("mnist", 0, 40, 20, path=str(tmp_path), key=KEY)
    assert data["X"].shape == (40, 784) and tuple(data["shape"]) == (1, 28, 28)
    assert np.allclose(data["X"].mean(0), 0, atol=1e-9)
    with pytest.raises(ValueError, match=f"'{KEY}' is missing"):
        classification_dataset("mnist", 0, 40, 20, key=KEY)
    with pytest.raises(ValueError, match="is generated, not read from a copy"):
        classification_dataset("digits", 0, 40, 20, path=str(tmp_path))


def test_incomplete_or_damaged_mnist_copies_are_refused_naming_key_path_and_problem(tmp_path):
    local.write_mnist_copy(tmp_path, n_train=20, n_test=10)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataCopyError, match=rf"{KEY} = '{tmp_path}': has no t10k-labels-idx1-ubyte\[.gz\]"):
        local.load_mnist(0, 20, 10, path=tmp_path, key=KEY)
    with pytest.raises(DataCopyError, match="is not a folder"):
        local.load_mnist(0, 20, 10, path=tmp_path / "nowhere", key=KEY)
    # Labels out of range.
    local.write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.full(10, 12, np.uint8))
    with pytest.raises(DataCopyError, match=r"labels in \[12, 12\]; MNIST's are 0..9"):
        local.load_mnist(0, 20, 10, path=tmp_path, key=KEY)
    # A label count that does not match the images.
    local.write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(9, np.uint8))
    with pytest.raises(DataCopyError, match="labels of shape \\(9,\\) for 10 images"):
        local.load_mnist(0, 20, 10, path=tmp_path, key=KEY)
    # A truncated file.
    raw = gzip.decompress((tmp_path / "train-images-idx3-ubyte.gz").read_bytes())
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(raw[:-5]))
    with pytest.raises(DataCopyError, match="says"):
        local.read_idx(tmp_path / "train-images-idx3-ubyte.gz", KEY)
    # Not gzip at all.
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"hello")
    with pytest.raises(DataCopyError, match="cannot be read as gzip"):
        local.read_idx(tmp_path / "train-images-idx3-ubyte.gz", KEY)


def test_a_full_size_file_with_a_standard_name_must_carry_the_standard_checksum(tmp_path):
    # 10000 images is the standard test split's size, so its files are checked against the release.
    local.write_mnist_copy(tmp_path, n_train=20, n_test=10000)
    with pytest.raises(DataCopyError, match="9fb629c4189551a2d022fa330f9573f3"):
        local.load_mnist(0, 20, 100, path=tmp_path, key=KEY)
    # The same files uncompressed carry no published checksum: they load.
    local.write_mnist_copy(tmp_path / "plain", n_train=20, n_test=10000, gz=False)
    assert local.load_mnist(0, 20, 100, path=tmp_path / "plain")[3].shape == (100,)


def test_cifar10_copy_loads_channel_major_images_from_the_folder_or_its_parent(tmp_path):
    local.write_cifar10_copy(tmp_path, per_batch=6, n_test=8)
    X, y, X_test, y_test = local.load_cifar10(0, 30, 8, path=tmp_path)
    assert X.shape == (30, 3, 32, 32) and X_test.shape == (8, 3, 32, 32)
    with open(tmp_path / "cifar-10-batches-py" / "data_batch_2", "rb") as f:
        batch = pickle.load(f, encoding="bytes")
    np.testing.assert_array_equal(X[6:12].reshape(6, -1), batch[b"data"])  # channel-major, batch order
    np.testing.assert_array_equal(y[6:12], batch[b"labels"])
    X2 = local.load_cifar10(0, 30, 8, path=tmp_path / "cifar-10-batches-py")[0]
    np.testing.assert_array_equal(X, X2)
    data = classification_dataset("cifar10", 0, 30, 8, path=str(tmp_path))
    assert data["X"].shape == (30, 3072) and tuple(data["shape"]) == (3, 32, 32)


def test_incomplete_or_damaged_cifar10_copies_are_refused(tmp_path):
    key = "paper.data.cifar10.path"
    local.write_cifar10_copy(tmp_path, per_batch=4, n_test=4)
    folder = tmp_path / "cifar-10-batches-py"
    (folder / "data_batch_3").unlink()
    with pytest.raises(DataCopyError, match=rf"{key} = '{folder}': has no data_batch_3"):
        local.load_cifar10(0, 16, 4, path=tmp_path, key=key)
    (folder / "data_batch_3").write_bytes(b"not a pickle")
    with pytest.raises(DataCopyError, match="data_batch_3.*is not a pickled CIFAR-10 batch"):
        local.load_cifar10(0, 16, 4, path=tmp_path, key=key)
    with open(folder / "data_batch_3", "wb") as f:
        pickle.dump({b"data": np.zeros((4, 100), np.uint8), b"labels": [0, 1, 2, 3]}, f)
    with pytest.raises(DataCopyError, match=r"uint8 \(N, 3072\)"):
        local.load_cifar10(0, 16, 4, path=tmp_path, key=key)
    with open(folder / "data_batch_3", "wb") as f:
        pickle.dump({b"data": np.zeros((4, 3072), np.uint8), b"labels": [0, 1, 2, 10]}, f)
    with pytest.raises(DataCopyError, match=r"labels in \[0, 10\]"):
        local.load_cifar10(0, 16, 4, path=tmp_path, key=key)


@pytest.mark.parametrize("gz", [True, False])
def test_the_check_before_any_job_counts_each_split_of_a_copy(tmp_path, gz):
    """What the config check compares ``n_train`` / ``n_test`` with: the images each split of the copy
    holds, from the label files' headers (MNIST) or the batches themselves (CIFAR-10)."""
    local.write_mnist_copy(tmp_path / "mnist", n_train=37, n_test=11, gz=gz)
    assert local.check_mnist(tmp_path / "mnist") == {"train": 37, "test": 11}
    local.write_cifar10_copy(tmp_path / "cifar", per_batch=7, n_test=5)
    assert local.check_cifar10(tmp_path / "cifar") == {"train": 35, "test": 5}
    (tmp_path / "mnist" / ("train-labels-idx1-ubyte" + (".gz" if gz else ""))).write_bytes(b"")
    with pytest.raises(DataCopyError, match="train-labels-idx1-ubyte.*(not an idx file|cannot be read)"):
        local.check_mnist(tmp_path / "mnist", KEY)

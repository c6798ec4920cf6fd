"""Input hashes: outputs ignored, content changes noticed, size+mtime cache honoured."""

import copy
import hashlib
import os

from helpers.runner.hashing import dataset_hash, input_hash, notebook_hash, sha256_file, tree_hash
from helpers.runner.params import read_notebook_json


def test_notebook_hash_ignores_outputs_and_counts(repo_root):
    nb = read_notebook_json(repo_root / "tests/runner_fixtures/ok.ipynb")
    executed = copy.deepcopy(nb)
    for cell in executed["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}]
            cell["execution_count"] = 7
    assert notebook_hash(executed) == notebook_hash(nb)
    edited = copy.deepcopy(nb)
    edited["cells"][-1]["source"] = "print('changed')"
    assert notebook_hash(edited) != notebook_hash(nb)


def test_dataset_hash_follows_content(tmp_path):
    (tmp_path / "dataset.yaml").write_text("name: x\n")
    (tmp_path / "cohorts.csv").write_text("cohort_id\nc1\n")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "junk").write_text("ignored")
    first = dataset_hash(tmp_path)
    (tmp_path / ".cache" / "junk").write_text("still ignored")
    assert dataset_hash(tmp_path) == first
    (tmp_path / "cohorts.csv").write_text("cohort_id\nc2\n")
    assert dataset_hash(tmp_path) != first


def test_file_digest_matches_hashlib(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(os.urandom(3_000_000))
    assert sha256_file(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_cache_is_used_when_size_and_mtime_match(tmp_path):
    (tmp_path / "a.csv").write_text("1")
    cache: dict = {}
    first = tree_hash(tmp_path, cache=cache)
    key = str(tmp_path / "a.csv")
    cache[key][2] = "0" * 64  # a cached digest is trusted while size and mtime are unchanged
    assert tree_hash(tmp_path, cache=cache) != first
    os.utime(tmp_path / "a.csv", ns=(1, 1))
    assert tree_hash(tmp_path, cache=cache) == first


def test_input_hash_changes_with_each_input():
    base = dict(notebook_digest="n", parameters={"p": 1}, dataset_digest="d", code_digest="c")
    h = input_hash(**base)
    assert h.startswith("sha256:")
    for key, value in [("notebook_digest", "n2"), ("parameters", {"p": 2}), ("dataset_digest", "d2"),
                       ("code_digest", "c2")]:
        assert input_hash(**{**base, key: value}) != h
    assert input_hash(**base, version="9.9") != h
    assert input_hash(**{**base, "parameters": {"p": 1}}) == h


def test_code_hash_can_be_pinned(monkeypatch):
    from helpers.runner.hashing import code_hash

    monkeypatch.delenv("LEADEVAL_CODE_HASH", raising=False)
    assert len(code_hash()) == 64
    monkeypatch.setenv("LEADEVAL_CODE_HASH", "pinned")
    assert code_hash() == "pinned"

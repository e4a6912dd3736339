"""A tiny random-weight model for CPU tests, demos and smoke runs: nothing is downloaded.

    python -m codeprism.llm.tiny DIR

writes a `LlamaForCausalLM` config (hidden 256, 2 layers, head_dim 64: the smallest shape the
vLLM CPU attention kernel accepts) and a byte-level BPE tokenizer trained in about a second on
a few standard-library modules, with a chat template. vLLM loads it with `load_format="dummy"`
(random weights), so its answers are noise; with structured outputs they are still
schema-valid, which is what the plumbing needs.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

VOCAB_SIZE = 4096
MAX_POSITIONS = 8192
SPECIAL_TOKENS = ["<|begin|>", "<|end|>", "<|pad|>", "<|system|>", "<|user|>", "<|assistant|>"]
# Role markers are special tokens, so a prompt can never forge a turn by containing them.
CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}<|end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
MARKER = "codeprism-tiny-model"


# The tokenizer learns from the review prompts and from these standard-library modules: the
# text and the code it will see, which stay the same while the rest of codeprism changes.
# (Trained on all of codeprism's sources, every edit gave the model a new vocabulary, and so
# a new random answer in every test that uses it.)
_CORPUS_MODULES = ("argparse", "ast", "dataclasses", "json", "pathlib", "subprocess", "textwrap")
_PROMPTS = Path(__file__).resolve().parents[1] / "review" / "prompts"


def _training_text() -> Iterator[str]:
    for prompt in sorted(_PROMPTS.glob("*.md")):
        yield prompt.read_text(encoding="utf-8")
    for name in _CORPUS_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"the standard library module {name} has no source")
        origin = Path(spec.origin)
        files = sorted(origin.parent.rglob("*.py")) if origin.name == "__init__.py" else [origin]
        for path in files:
            yield path.read_text(encoding="utf-8", errors="replace")


def build_tiny_model(dest: Path) -> Path:
    """Write the model directory (idempotent: an existing complete build is reused)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    dest.mkdir(parents=True, exist_ok=True)
    if (dest / MARKER).exists():
        return dest
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,  # its bar leaves blank lines on stdout
    )
    tokenizer.train_from_iterator(_training_text(), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<|begin|>",
        eos_token="<|end|>",
        pad_token="<|pad|>",
        model_max_length=MAX_POSITIONS,
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(dest)
    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": 256,
        "intermediate_size": 512,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "head_dim": 64,
        "hidden_act": "silu",
        "max_position_embeddings": MAX_POSITIONS,
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "tie_word_embeddings": True,
        "torch_dtype": "bfloat16",
        "vocab_size": len(fast),
        "bos_token_id": fast.bos_token_id,
        "eos_token_id": fast.eos_token_id,
        "pad_token_id": fast.pad_token_id,
    }
    (dest / "config.json").write_text(json.dumps(config, indent=2))
    generation = {"bos_token_id": fast.bos_token_id, "eos_token_id": fast.eos_token_id}
    (dest / "generation_config.json").write_text(json.dumps(generation, indent=2))
    (dest / MARKER).write_text("random weights: load with load_format='dummy'\n")
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    args = parser.parse_args()
    print(build_tiny_model(args.dest))


if __name__ == "__main__":
    main()

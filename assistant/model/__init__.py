"""Model backends behind the one interface in ``assistant.core.messages``: llama.cpp on a
local GGUF (``llama``, ``runtime``, ``gguf_files``, ``kernels``: the crash probe,
``context_budget``), an OpenAI-compatible endpoint (``http_endpoint``) and the stream of a
reply through the gate (``reply_stream``).  Which one answers is chosen in ``graphs.models``."""

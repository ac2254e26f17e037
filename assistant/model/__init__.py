"""Who writes a reply: the small model interface (``interface``), its peers — llama.cpp on a
local GGUF (``llama``, ``runtime``, ``gguf_files``), an OpenAI-compatible endpoint
(``http_endpoint``), our own templates (``guided``) — the registry that picks one
(``registry``), and the output guard that decides whether a model's draft may be shown
(``guard``)."""

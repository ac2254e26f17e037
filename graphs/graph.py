"""Wiring only: which node follows which."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from graphs import nodes, respond, routing
from graphs.context import Context
from graphs.state import ConversationState

STAGE_NODES = {
    "check_in": nodes.check_in,
    "regulation": nodes.regulation,
    "naming": nodes.naming,
    "request": nodes.request,
    "plan": nodes.plan,
}
FLOW_NODES = {
    "pause": nodes.pause,
    "back": nodes.back,
    "restart": nodes.restart,
    "empty": nodes.empty,
}


def build_graph(checkpointer: object = None):  # -> CompiledStateGraph
    builder = StateGraph(ConversationState, context_schema=Context)
    builder.add_node("screen", respond.screen)
    builder.add_node("escalation", respond.escalation)
    builder.add_node("read_message", nodes.read_message)
    for name, node in {**STAGE_NODES, **FLOW_NODES}.items():
        builder.add_node(name, node)
    builder.add_node("retrieve", respond.retrieve)
    builder.add_node("respond", respond.respond)

    builder.add_edge(START, "screen")
    builder.add_edge("screen", "read_message")  # blocking and echo are read for every message
    builder.add_conditional_edges("read_message", routing.by_stage)
    for name in (*STAGE_NODES, *FLOW_NODES):
        builder.add_edge(name, "retrieve")
    builder.add_edge("escalation", "respond")
    builder.add_edge("retrieve", "respond")
    builder.add_edge("respond", END)
    return builder.compile(checkpointer=checkpointer)

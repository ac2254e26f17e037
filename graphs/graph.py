"""Wiring only: which node follows which."""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph

from graphs import nodes, read, respond, routing, safety_flow
from graphs.context import Context
from graphs.state import ConversationState, TurnInput
from graphs.timing import timed_node

# Node functions differ in their signatures (some take the runtime): typed loosely here.
STAGE_NODES: dict[str, Any] = {
    "check_in": nodes.check_in,
    "regulation": nodes.regulation,
    "naming": nodes.naming,
    "request": nodes.request,
    "plan": nodes.plan,
}
FLOW_NODES: dict[str, Any] = {
    "pause": nodes.pause,
    "back": nodes.back,
    "restart": nodes.restart,
    "confirm": nodes.confirm,
    "empty": nodes.empty,
}
SAFETY_NODES: dict[str, Any] = {
    "escalation": safety_flow.escalation,
    "start_check": safety_flow.start_check,
    "safety_check": safety_flow.safety_check,
}


def build_graph(checkpointer: BaseCheckpointSaver | None = None) -> Any:  # compiled graph
    builder = StateGraph(ConversationState, context_schema=Context, input_schema=TurnInput)
    # the safety verdict and the reading, once
    builder.add_node("read", timed_node("read", read.read))
    for name, node in {**STAGE_NODES, **FLOW_NODES, **SAFETY_NODES}.items():
        builder.add_node(name, timed_node("route", node))
    builder.add_node("retrieve", timed_node("retrieve", respond.retrieve))
    builder.add_node("respond", timed_node("compose", respond.respond))  # less the gate

    builder.add_edge(START, "read")
    builder.add_conditional_edges("read", routing.by_stage)
    for name in (*STAGE_NODES, *FLOW_NODES):
        builder.add_edge(name, "retrieve")
    for name in SAFETY_NODES:
        builder.add_edge(name, "respond")
    builder.add_edge("retrieve", "respond")
    builder.add_edge("respond", END)
    return builder.compile(checkpointer=checkpointer)

"""The conversation graph: state, nodes, routing and wiring, plus the runner around it."""

"""The app tree, sans-IO: blocks, layouts, events, Blocks and Interface."""

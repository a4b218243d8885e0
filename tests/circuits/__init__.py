"""The circuits package: gadgets, the withdrawal circuit, its soundness and its full-size proof."""

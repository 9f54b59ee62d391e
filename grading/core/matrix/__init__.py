"""The `matrix_expression` answer kind: answers written in matrix symbols of unspecified size.

`syntax` reads the text into a tree, `shapes` checks it, `evaluate` computes it in float64 over
instantiated sizes, `answers` compares and explains, `request` serves the command line,
`exercise` and `references` (SymPy and, lazily, JAX) build authored exercises.
"""

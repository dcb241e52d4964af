# DARTS_V2 written across lines, as genotypes.py files often are.
DARTS_V2 = Genotype(
  normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1),   # node 0
          ('sep_conv_3x3', 0), ('sep_conv_3x3', 1),   # node 1
          ('sep_conv_3x3', 1), ('skip_connect', 0),
          ('skip_connect', 0), ('dil_conv_3x3', 2),],
  normal_concat=range(2, 6),
  reduce=[("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1),
          ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("max_pool_3x3", 1)],
  reduce_concat=list(range(2, 6)),
)

"""miner: real-world usage examples of a library's public names, mined from open source."""

#: The name miner is published under on PyPI (`miner` there is another project); the import
#: package and the command are `miner`.
DISTRIBUTION = "usage-example-miner"

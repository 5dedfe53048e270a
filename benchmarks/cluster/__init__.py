"""Running cases on a Dask cluster: a LocalCluster by default, or a scheduler address."""

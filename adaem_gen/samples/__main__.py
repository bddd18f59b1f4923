"""``python -m adaem_gen.samples``: print the directory holding the shipped sample inputs."""

from adaem_gen.samples import SAMPLES_DIR

print(SAMPLES_DIR)

/* Runs a fuzz target once on each file named, without libFuzzer: how
 * make check replays the corpus, with any compiler. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char *argv[])
{
	unsigned char *data;
	size_t n, cap;
	FILE *f;
	int i;

	for (i = 1; i < argc; i++) {
		if (!(f = fopen(argv[i], "rb"))) {
			perror(argv[i]);
			return 1;
		}
		data = malloc(cap = 1 << 20);
		n = fread(data, 1, cap, f);	/* inputs are small; libFuzzer's are 4 KB */
		fclose(f);
		LLVMFuzzerTestOneInput(data, n);
		free(data);
	}
	printf("%d inputs\n", argc - 1);
	return 0;
}

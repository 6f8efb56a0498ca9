/* main.c: argv -> cli_dispatch(); nothing else. */
#include "base/acc.h"
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return cli_dispatch(argc, argv);
}

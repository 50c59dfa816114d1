/* An empty program: tests/CMakeLists.txt links every layer's archive whole
 * (--whole-archive) into one of these, against the archives of the layers
 * it depends on and nothing else, so a call from a layer into a layer above
 * it (or beside it) is an undefined symbol and the build fails. */
int main(void)
{
    return 0;
}

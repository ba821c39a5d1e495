// The ending every benchmark entry point shares: exit with main()'s code, or 1 if it threw.
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

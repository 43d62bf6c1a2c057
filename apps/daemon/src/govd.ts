process.stderr.write('govd: the daemon lands with the policies package\n');
process.exitCode = 1;

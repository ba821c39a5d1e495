// V8 settings for a server that streams large uploads, applied before anything else is loaded.
//
// Every socket read is a new 64 KiB ArrayBuffer outside the JS heap. With array buffers swept on a
// background thread, V8's count of external memory lags behind what is really freed, crosses its limit
// again and again, and an upload sets off a mark-compact every ~100 ms that frees nothing; each one marks
// the whole ~27 MB heap. Sweeping them during the GC itself keeps that count true. Measured on a 1 GiB
// upload (bench/README.md findings, "Upload GC storm"): server CPU 7.2-8.5 s/GiB -> 3.3-5.3 s/GiB.
import v8 from 'node:v8';

v8.setFlagsFromString('--no-concurrent-array-buffer-sweeping');

// The floor: read the file in 8 MiB slices and do nothing with the bytes.
// Any ingest in this browser is at best this fast.
onmessage = async (event) => {
  const file = event.data.file;
  const start = performance.now();
  const slice = 8 << 20;
  let bytes = 0;
  for (let offset = 0; offset < file.size; offset += slice) {
    const buffer = await file.slice(offset, offset + slice).arrayBuffer();
    bytes += buffer.byteLength;
  }
  postMessage({ ms: performance.now() - start, bytes });
};

// The PapaParse peer: stream-parse the file in this worker and aggregate per
// customer in a JS Map, as a hand-written browser tool would (order rows of
// a Shopify export carry the Total; the key is the lower-cased email).
importScripts("../../../node_modules/papaparse/papaparse.min.js");

onmessage = (event) => {
  const file = event.data.file;
  const start = performance.now();
  const customers = new Map();
  let header = null;
  let emailColumn = -1;
  let totalColumn = -1;
  let rows = 0;
  Papa.parse(file, {
    chunkSize: 8 << 20,
    skipEmptyLines: true,
    chunk: (results) => {
      for (const row of results.data) {
        if (header === null) {
          header = row;
          emailColumn = header.indexOf("Email");
          totalColumn = header.indexOf("Total");
          continue;
        }
        rows += 1;
        const total = row[totalColumn];
        if (!total) continue;
        const email = (row[emailColumn] || "").trim().toLowerCase();
        const customer = customers.get(email);
        if (customer) {
          customer.orders += 1;
          customer.spent += Number(total);
        } else {
          customers.set(email, { orders: 1, spent: Number(total) });
        }
      }
    },
    complete: () => postMessage({ ms: performance.now() - start, rows, customers: customers.size }),
    error: (error) => postMessage({ error: String(error) }),
  });
};

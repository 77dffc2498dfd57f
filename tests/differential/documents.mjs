// Shared input handling of the differential scripts: arguments are .graphql files,
// directories (their *.graphql, sorted) or .jsonl files of {"file","source"} lines.
import fs from 'node:fs';
import path from 'node:path';

export function* readDocuments(args) {
  for (const arg of args) {
    const stat = fs.statSync(arg);
    if (stat.isDirectory()) {
      const names = fs.readdirSync(arg).filter((n) => n.endsWith('.graphql')).sort();
      for (const name of names) {
        yield { file: name, source: fs.readFileSync(path.join(arg, name), 'utf8') };
      }
    } else if (arg.endsWith('.jsonl')) {
      for (const line of fs.readFileSync(arg, 'utf8').split('\n')) {
        if (line.trim() !== '') yield JSON.parse(line);
      }
    } else {
      yield { file: path.basename(arg), source: fs.readFileSync(arg, 'utf8') };
    }
  }
}

import type { ServerResponse } from 'node:http';
import type { HttpAnswer } from './http-answer.js';

/** Writes an answer on Node's response (the Express middleware; adapters with their own reply use that). */
export function writeAnswer(res: ServerResponse, answer: HttpAnswer): void {
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  const body = answer.body;
  if (body === undefined || body === null) {
    res.end();
  } else if (typeof body === 'string') {
    res.end(body);
  } else {
    if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
  }
}

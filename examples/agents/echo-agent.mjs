#!/usr/bin/env node
// A stand-in agent for the `process` spawner: it reads the prompt on standard input and answers on standard output,
// which is all any agent CLI has to do to sit on the council. Kurultai passes the task's id, attempt and idempotency
// key in the environment.
let prompt = '';
for await (const chunk of process.stdin) prompt += chunk;
const firstLine = prompt.split('\n').find((line) => line.trim() !== '') ?? '';
process.stdout.write(
  `${process.env.KURULTAI_AGENT_ID} looked at task ${process.env.KURULTAI_TASK_ID} ` +
    `(attempt ${process.env.KURULTAI_ATTEMPT}); the prompt began: ${firstLine.slice(0, 80)}\n`,
);

// Every task type the app knows; workers and the queue setup read this list.
import type { TaskDefinition } from './define-task.js';
import { demoTask } from './definitions/demo.js';
import { documentExtractTask } from './definitions/document-extract.js';
import { documentSummarizeTask } from './definitions/document-summarize.js';

export const taskDefinitions: TaskDefinition[] = [
  demoTask as TaskDefinition,
  documentExtractTask as TaskDefinition,
  documentSummarizeTask as TaskDefinition,
];

export function taskDefinitionOf(type: string): TaskDefinition | undefined {
  return taskDefinitions.find((definition) => definition.type === type);
}

export function queueName(type: string): string {
  return `task-${type}`;
}

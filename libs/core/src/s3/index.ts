export { S3ArchiveSink } from '../archive/s3-archive.sink.js';
export type { S3ArchiveSinkOptions } from '../archive/s3-archive.sink.js';

/**
 * The wire contract shared by every service and device: the generated protobuf messages ({@code io.kickoff.protocol.v1}:
 * frames, {@code StageUpdate}, {@code Bundle}), their JSON and binary encodings ({@link io.kickoff.protocol.WireFormat},
 * {@link io.kickoff.protocol.MalformedFrameException}), stage order ({@link io.kickoff.protocol.Stages}), timestamps
 * ({@link io.kickoff.protocol.Timestamps}), delivery reports ({@code delivery.DeliveryReports}) and signed device
 * tokens ({@code token.DeviceTokens}, {@code DeviceClaims}, {@code TokenException}).
 *
 * <p>Exports exactly those; the JSON frame writer is package-private.
 */
package io.kickoff.protocol;

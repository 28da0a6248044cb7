package io.spindle.drafter;

/** The JSON body of every error answer: {@code {"error": "..."}}. */
public record ApiError(String error) {
}
